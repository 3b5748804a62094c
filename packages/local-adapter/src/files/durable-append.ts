import { open, type FileHandle } from 'node:fs/promises';

export interface AppendOptions {
  /**
   * `line`: `append` resolves once the line is on disk (fdatasync, group-committed). `written`:
   * once it is written to the file (the kernel has it: a crash of this process loses nothing),
   * with the file flushed to disk within a second, so a signature's one durable write stays
   * the watermark's.
   */
  readonly sync: 'line' | 'written';
}

/** How long a `written` file may hold lines that are not yet on disk. */
const BACKGROUND_SYNC_MS = 1000;

/**
 * An append-only file. Lines that arrive while a write is under way are written (and flushed)
 * together by the next one (group commit), so a burst of requests costs a few writes, not one
 * each, and lines keep their order.
 */
export class DurableAppendFile {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #sync: AppendOptions['sync'];
  #background: NodeJS.Timeout | undefined;
  #queued: { text: string; done: () => void; failed: (err: unknown) => void }[] = [];
  #flushing: Promise<void> | undefined;

  private constructor(path: string, handle: FileHandle, sync: AppendOptions['sync']) {
    this.path = path;
    this.#handle = handle;
    this.#sync = sync;
  }

  /** Opens (creating it 0600) the file for appending. */
  static async open(path: string, options: AppendOptions = { sync: 'line' }): Promise<DurableAppendFile> {
    return new DurableAppendFile(path, await open(path, 'a', 0o600), options.sync);
  }

  append(line: string): Promise<void> {
    return new Promise((done, failed) => {
      this.#queued.push({ text: `${line}\n`, done, failed });
      this.#flushing ??= this.#flush();
    });
  }

  async close(): Promise<void> {
    await this.#flushing;
    clearTimeout(this.#background);
    await this.#handle.datasync().catch(() => undefined);
    await this.#handle.close();
  }

  async #flush(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      this.#queued = [];
      try {
        await this.#handle.appendFile(batch.map((entry) => entry.text).join(''));
        if (this.#sync === 'line') await this.#handle.datasync();
        else this.#background ??= setTimeout(() => this.#syncInBackground(), BACKGROUND_SYNC_MS).unref();
        for (const entry of batch) entry.done();
      } catch (err) {
        for (const entry of batch) entry.failed(err);
      }
    }
    this.#flushing = undefined;
  }

  #syncInBackground(): void {
    this.#background = undefined;
    // best effort: the next line or close() flushes again
    this.#handle.datasync().catch(() => undefined);
  }
}
