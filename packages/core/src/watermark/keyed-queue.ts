/**
 * Runs tasks one after the other per key, in call order, whether earlier ones succeed or fail;
 * tasks of different keys run concurrently. Stores use it so that concurrent requests for one
 * watermark cannot interleave their read-decide-write steps inside this process. It remembers
 * only keys with work queued or running, so it does not grow with the keys ever seen.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every task queued before it on `key` has settled; settles as it does. */
  run<T>(key: string, task: () => T | PromiseLike<T>): Promise<T> {
    // a task is never handed the previous task's outcome
    const start = () => task();
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(start, start);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** How many keys have a task queued or running. */
  get busyKeys(): number {
    return this.#tails.size;
  }
}
