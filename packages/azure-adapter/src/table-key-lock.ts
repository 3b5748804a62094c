/**
 * Runs the tasks given for one id one after the other. Only an optimisation: ETags keep
 * instances correct; this keeps one instance from racing itself into a storm of 412s when
 * a baker sends many requests for the same watermark at once.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(id, tail);
    try {
      return await result;
    } finally {
      // Forget the id once nothing is queued behind us, so the map does not grow forever.
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    }
  }
}
