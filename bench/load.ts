// The load thread (load-worker.ts), started once and given one order after another: a thread
// started per timed run would begin each run cold (its code interpreted, then compiled on the
// same two cores the signer runs on), which the figures would charge to the signer.
import { Worker } from 'node:worker_threads';
import type { LoadOrder } from './load-worker.js';
import type { Sample } from './measure.js';

export class LoadThread {
  readonly #worker: Worker;
  #running: Promise<unknown> = Promise.resolve();

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static start(): LoadThread {
    // a worker does not inherit the TypeScript loader: it registers tsx before loading the file
    const entry = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}, import.meta.url))`;
    return new LoadThread(new Worker(entry, { eval: true, execArgv: ['--conditions=source'] }));
  }

  /** Posts requests to `order.url` for `order.seconds`, after any order still running; its latencies come back. */
  load(order: LoadOrder): Promise<Sample> {
    const next = this.#running.catch(() => undefined).then(() => this.#answer(order));
    this.#running = next;
    return next;
  }

  async close(): Promise<void> {
    await this.#running.catch(() => undefined);
    await this.#worker.terminate();
  }

  #answer(order: LoadOrder): Promise<Sample> {
    return new Promise((done, fail) => {
      const onMessage = (answer: { sample: Sample } | { error: string }) => {
        settle();
        if ('sample' in answer) done(answer.sample);
        else fail(new Error(`load thread: ${answer.error}`));
      };
      const onError = (err: Error) => {
        settle();
        fail(err);
      };
      const onExit = (code: number) => {
        settle();
        fail(new Error(`load thread exited ${code}`));
      };
      const settle = () => this.#worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      this.#worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      this.#worker.postMessage(order);
    });
  }
}
