/** How long a line may wait for others: a person reading the log sees no delay this short. */
export const COALESCE_MS = 20;
/** Pending text handed on at once when it reaches this size, so a burst never builds up much. */
export const COALESCE_CHARS = 32_768;

/**
 * Lines written through `write` within COALESCE_MS of the first pending one, handed on as one
 * string: standard output is a pipe or a file, written synchronously on Linux, so a write(2) per
 * request's log line (or per turn of the event loop, a few lines each at full load) costs the
 * event loop more than the line itself. `flush()` hands on what is pending at once (at
 * shutdown). Lines keep their order.
 */
export interface CoalescedWriter {
  readonly write: (line: string) => void;
  flush(): void;
}

export function coalescedWriter(output: (text: string) => void): CoalescedWriter {
  let pending: string[] = [];
  let size = 0;
  let scheduled: NodeJS.Timeout | undefined;
  const flush = () => {
    if (scheduled !== undefined) clearTimeout(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    output(text);
  };
  return {
    write: (line) => {
      pending.push(line);
      size += line.length;
      if (size >= COALESCE_CHARS) flush();
      // unref: a pending line never keeps the process alive (shutdown flushes)
      else scheduled ??= setTimeout(flush, COALESCE_MS).unref();
    },
    flush,
  };
}
