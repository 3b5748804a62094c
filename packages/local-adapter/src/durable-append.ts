import { open, type FileHandle } from 'node:fs/promises';

/**
 * An append-only file whose `append` resolves once the line is on disk. Lines that arrive
 * while a flush is under way are written and flushed together by the next one (group commit),
 * so a burst of requests costs a few fsyncs, not one each, and lines keep their order.
 */
export class DurableAppendFile {
  readonly path: string;
  readonly #handle: FileHandle;
  #queued: { text: string; done: () => void; failed: (err: unknown) => void }[] = [];
  #flushing: Promise<void> | undefined;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  /** Opens (creating it 0600) the file for appending. */
  static async open(path: string): Promise<DurableAppendFile> {
    return new DurableAppendFile(path, await open(path, 'a', 0o600));
  }

  append(line: string): Promise<void> {
    return new Promise((done, failed) => {
      this.#queued.push({ text: `${line}\n`, done, failed });
      this.#flushing ??= this.#flush();
    });
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle.close();
  }

  async #flush(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      this.#queued = [];
      try {
        await this.#handle.appendFile(batch.map((entry) => entry.text).join(''));
        await this.#handle.datasync();
        for (const entry of batch) entry.done();
      } catch (err) {
        for (const entry of batch) entry.failed(err);
      }
    }
    this.#flushing = undefined;
  }
}
