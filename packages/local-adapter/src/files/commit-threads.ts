import { sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { tempPathFor } from './atomic-write.js';
import { CREATE_AND_LIST_SOURCE } from './create-and-list-source.js';

/** What creating a file exclusively found: it is there and the folder holds `names`, or its name was taken. */
export type CreateAndListResult =
  | { readonly created: true; readonly names: readonly string[] }
  | { readonly created: false; readonly code: 'EEXIST' | 'ENOENT' };

/** Where a failed call belongs: the temp file and link, the folder's flush, or its listing. */
export type CreateAndListStep = 'write' | 'flush' | 'list';

/** A failed call of a commit thread, with the code and syscall Node's own error would carry. */
export class CreateAndListError extends Error {
  readonly code: string | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  readonly step: CreateAndListStep;

  constructor(failure: { message: string; code?: string; syscall?: string; path?: string; step: CreateAndListStep }) {
    super(failure.message);
    this.name = 'CreateAndListError';
    this.code = failure.code;
    this.syscall = failure.syscall;
    this.path = failure.path;
    this.step = failure.step;
  }
}

const closedError = () => new CreateAndListError({ message: 'the watermark store is closed', step: 'write' });

/**
 * Threads enough for the commits of many keys at once: each holds one commit through its two
 * flushes, and flushes made together are written by the file system's journal together.
 */
export const DEFAULT_COMMIT_THREADS = 4;

interface Job {
  readonly id: number;
  readonly folder: string;
  readonly path: string;
  readonly temp: string;
  readonly data: string;
  readonly mode: number;
}

type Answer = { id: number } & ({ created: true; names: string[] } | { created: false; code: 'EEXIST' | 'ENOENT' } | { error: ConstructorParameters<typeof CreateAndListError>[0] });

interface Waiting {
  readonly job: Job;
  resolve(result: CreateAndListResult): void;
  reject(err: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  current: Waiting | undefined;
}

/**
 * A few threads of this process's own, each making the whole sequence of a commit's file calls
 * (CREATE_AND_LIST_SOURCE) in one task: on libuv's pool each of those calls is a round trip of
 * its own, through a pool thread and back to the event loop, and on a busy host every such trip
 * waits for a core twice. The calls, their order and what each guarantees are those of
 * createFileAtomic followed by a flush and a listing of the folder; only where they run changes.
 * Threads start when first needed and hold the process open only while they have work.
 */
export class CommitThreads {
  readonly #size: number;
  readonly #threads: Thread[] = [];
  readonly #queue: Waiting[] = [];
  #jobs = 0;
  #closed = false;

  constructor(size = DEFAULT_COMMIT_THREADS) {
    this.#size = size;
  }

  /**
   * Creates `<folder>/<name>` holding `data` unless the name exists (link(2) never replaces),
   * flushes the folder and lists it, the listing made after the link; rejects with a
   * CreateAndListError naming the step that failed.
   */
  createAndList(folder: string, name: string, data: string, mode = 0o600): Promise<CreateAndListResult> {
    if (this.#closed) return Promise.reject(closedError());
    const path = `${folder}${sep}${name}`;
    return new Promise((resolve, reject) => {
      this.#dispatch({ job: { id: this.#jobs++, folder, path, temp: tempPathFor(path), data, mode }, resolve, reject });
    });
  }

  /** Waits for the commits under way, then stops the threads. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#queue.splice(0)) waiting.reject(closedError());
    await Promise.all(
      this.#threads.splice(0).map(async (thread) => {
        if (thread.current !== undefined) await new Promise<void>((done) => thread.worker.once('message', () => done()).once('exit', () => done()));
        await thread.worker.terminate();
      }),
    );
  }

  #dispatch(waiting: Waiting): void {
    if (this.#closed) return waiting.reject(closedError());
    const thread = this.#threads.find((each) => each.current === undefined) ?? (this.#threads.length < this.#size ? this.#start() : undefined);
    if (thread === undefined) {
      this.#queue.push(waiting);
      return;
    }
    thread.current = waiting;
    thread.worker.ref();
    thread.worker.postMessage(waiting.job);
  }

  #start(): Thread {
    // the process's own flags, as any thread of it (a preload that watches file calls sees these too)
    const worker = new Worker(CREATE_AND_LIST_SOURCE, { eval: true, name: 'tezsigner commit' });
    const thread: Thread = { worker, current: undefined };
    worker.on('message', (answer: Answer) => this.#answered(thread, answer));
    const gone = (err: unknown) => {
      const index = this.#threads.indexOf(thread);
      if (index >= 0) this.#threads.splice(index, 1);
      const current = thread.current;
      thread.current = undefined;
      current?.reject(new CreateAndListError({ message: `a commit thread stopped: ${err instanceof Error ? err.message : String(err)}`, step: 'write' }));
      this.#next();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`exit code ${code}`)));
    this.#threads.push(thread);
    return thread;
  }

  #answered(thread: Thread, answer: Answer): void {
    const current = thread.current;
    thread.current = undefined;
    thread.worker.unref();
    if (current !== undefined && current.job.id === answer.id) {
      if ('error' in answer) current.reject(new CreateAndListError(answer.error));
      else current.resolve(answer.created ? { created: true, names: answer.names } : { created: false, code: answer.code });
    }
    this.#next();
  }

  #next(): void {
    const waiting = this.#queue.shift();
    if (waiting !== undefined) this.#dispatch(waiting);
  }
}
