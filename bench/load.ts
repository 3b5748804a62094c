// The load (load-worker.ts), started once and given one order after another: on a thread of the
// bench's process (LoadThread), or in a process of its own (LoadProcess) for the cases that keep
// the bench's own code off the machine's cores while a server is measured. A thread or process
// started per timed run would begin each run cold (its code interpreted, then compiled on the
// same two cores the signer runs on), which the figures would charge to the signer.
import { fork, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BurstOrder, LoadOrder } from './load-worker.js';
import type { Sample } from './measure.js';
import type { BurstSample } from './post-load.js';

const WORKER_FILE = new URL('./load-worker.ts', import.meta.url);

/** A thread or a child process (its events: message, error, exit) that answers each message with one. */
interface Channel {
  readonly events: EventEmitter;
  send(message: unknown): void;
  stop(): Promise<void>;
}

export class LoadThread {
  readonly #channel: Channel;
  #running: Promise<unknown> = Promise.resolve();

  protected constructor(channel: Channel) {
    this.#channel = channel;
  }

  static start(): LoadThread {
    // a worker does not inherit the TypeScript loader: it registers tsx before loading the file
    const entry = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(WORKER_FILE.href)}, import.meta.url))`;
    const worker = new Worker(entry, { eval: true, execArgv: ['--conditions=source'] });
    return new LoadThread({
      events: worker,
      send: (message) => worker.postMessage(message),
      stop: async () => void (await worker.terminate()),
    });
  }

  /** Posts requests to `order.url` for `order.seconds`, after any order still running; its latencies come back. */
  load(order: LoadOrder): Promise<Sample> {
    return this.#queued(order);
  }

  /** One burst (see BurstOrder): each request's latency, the seconds from the first sent to the last answered, the refused. */
  burst(order: Omit<BurstOrder, 'burst'>): Promise<BurstSample> {
    return this.#queued({ ...order, burst: true }) as Promise<BurstSample>;
  }

  async close(): Promise<void> {
    await this.#running.catch(() => undefined);
    await this.#channel.stop();
  }

  #queued(order: LoadOrder | BurstOrder): Promise<Sample> {
    const next = this.#running.catch(() => undefined).then(() => this.#answer(order));
    this.#running = next;
    return next;
  }

  #answer(order: LoadOrder | BurstOrder): Promise<Sample> {
    const channel = this.#channel;
    const events = channel.events;
    return new Promise((done, fail) => {
      const onMessage = (answer: { sample: Sample } | { error: string }) => {
        settle();
        if ('sample' in answer) done(answer.sample);
        else fail(new Error(`load: ${answer.error}`));
      };
      const onError = (err: Error) => {
        settle();
        fail(err);
      };
      const onExit = (code: number | null) => {
        settle();
        fail(new Error(`load exited ${code}`));
      };
      const settle = () => events.off('message', onMessage).off('error', onError).off('exit', onExit);
      events.on('message', onMessage).on('error', onError).on('exit', onExit);
      channel.send(order);
    });
  }
}

/** The load in a process of its own: the third process beside the signer's and the bare server's. */
export class LoadProcess extends LoadThread {
  static override start(): LoadProcess {
    const child: ChildProcess = fork(fileURLToPath(WORKER_FILE), [], { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new LoadProcess({
      events: child,
      send: (message) => child.send(message as object),
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.disconnect();
        await exited;
      },
    });
  }
}
