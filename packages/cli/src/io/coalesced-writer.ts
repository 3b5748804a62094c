/**
 * Lines written through `write` within one turn of the event loop, handed on as one string at
 * the next turn (setImmediate): a request's log line no longer costs a write(2) of its own on
 * the event loop between its answer and the next request (standard output is a pipe or a file,
 * written synchronously on Linux), and lines written together go out in one call. `flush()`
 * hands on what is pending at once (at shutdown). Lines keep their order.
 */
export interface CoalescedWriter {
  readonly write: (line: string) => void;
  flush(): void;
}

export function coalescedWriter(output: (text: string) => void): CoalescedWriter {
  let pending: string[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    output(text);
  };
  return {
    write: (line) => {
      pending.push(line);
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}
