import { spawn, type ChildProcess } from 'node:child_process';
import { hostScript } from './host-script.js';
import type { HostMessage, LaneAnswer, LaneOperation, RemoteErrorFields } from './host-protocol.js';

export interface ModuleHostOptions {
  /** the resolved path of pkcs11js */
  readonly addon: string;
  readonly modulePath: string;
  /** the module's environment (its own settings, e.g. SOFTHSM2_CONF), without the signer's secrets */
  readonly env: NodeJS.ProcessEnv;
  /** the host ended without kill() being called (crashed, killed from outside) */
  readonly onExit: (description: string) => void;
  /** a call of a lane answered (even one past its deadline; loading the module aside): the module is alive */
  readonly onAnswer: () => void;
}

/** The host process ended: every call still out on it fails with this. */
export class HostGone extends Error {
  override readonly name = 'HostGone';
}

/**
 * The PKCS#11 module in a child process of its own, with one thread per session (a lane). A
 * call that hangs holds a thread of that process: neither this process's event loop nor its
 * thread pool (which the file watermark store, the audit log and the ledger share). A module
 * that never returns is got rid of by killing the process; a module that crashes takes only
 * the process with it.
 */
export class ModuleHost {
  private readonly lanes = new Map<number, HostLane>();
  private nextLane = 0;
  private killed = false;
  private ended = false;
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ModuleHostOptions,
  ) {
    this.exited = new Promise((resolve) => {
      const end = (description: string): void => {
        if (this.ended) return;
        this.ended = true;
        for (const lane of this.lanes.values()) lane.gone(description);
        this.lanes.clear();
        if (!this.killed) options.onExit(description);
        resolve();
      };
      child.on('exit', (code, signal) => end(signal === null ? `exited with code ${code}` : `ended by ${signal}`));
      child.on('error', (err) => end(`failed: ${err.message}`));
    });
    child.on('message', (raw) => this.receive(raw as HostMessage));
  }

  /** Starts the host; it is up when its main thread answers (the module is loaded by the first lane). */
  static async start(options: ModuleHostOptions, timeoutMs: number): Promise<ModuleHost> {
    const child = spawn(process.execPath, ['-'], {
      // the module's own output goes to the signer's stderr, never into its request log on stdout
      stdio: ['pipe', 2, 2, 'ipc'],
      env: options.env,
      serialization: 'advanced',
    });
    const host = new ModuleHost(child, options);
    child.stdin?.end(hostScript());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        host.kill();
        reject(new HostGone(`the PKCS#11 module host did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      const up = (message: HostMessage): void => {
        if (message.type !== 'up') return;
        clearTimeout(timer);
        child.off('message', up);
        resolve();
      };
      child.on('message', up);
      void host.exited.then(() => {
        clearTimeout(timer);
        reject(new HostGone('the PKCS#11 module host ended as it started'));
      });
    });
    return host;
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** A new thread in the host, for one session. */
  lane(): HostLane {
    const id = this.nextLane++;
    const lane = new HostLane((op, args, requestId) => this.send({ type: 'request', lane: id, request: { id: requestId, op, args } }), this.options.onAnswer);
    if (this.ended) {
      lane.gone('the PKCS#11 module host has ended');
      return lane;
    }
    this.lanes.set(id, lane);
    this.send({ type: 'lane', lane: id, data: { addon: this.options.addon, modulePath: this.options.modulePath } });
    return lane;
  }

  /** Ends the host at once, threads stuck in the module included. */
  kill(): void {
    this.killed = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private send(message: Parameters<NonNullable<ChildProcess['send']>>[0]): boolean {
    if (this.ended || !this.child.connected) return false;
    this.child.send(message);
    return true;
  }

  private receive(message: HostMessage): void {
    if (message.type === 'up') return;
    const lane = this.lanes.get(message.lane);
    if (lane === undefined) return;
    if (message.type === 'answer') lane.settle(message.answer);
    else {
      lane.gone(message.type === 'lane-exit' ? 'its thread ended' : `its thread failed: ${message.message}`);
      this.lanes.delete(message.lane);
    }
  }
}

/** One thread of the host: its calls run one after the other, each answered in order. */
export class HostLane {
  private readonly pending = new Map<number, { op: LaneOperation; resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private over: string | undefined;
  private markEnded: () => void = () => undefined;
  /** resolves once the lane's thread has ended (or its host) */
  readonly ended = new Promise<void>((resolve) => {
    this.markEnded = resolve;
  });

  constructor(
    private readonly post: (op: LaneOperation, args: readonly unknown[], id: number) => boolean,
    private readonly onAnswer: () => void,
  ) {}

  request<T>(op: LaneOperation, ...args: unknown[]): Promise<T> {
    if (this.over !== undefined) return Promise.reject(new HostGone(this.over));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.post(op, args, id)) this.gone('the PKCS#11 module host has ended');
    });
  }

  /** Closes the lane's session (when it has one) and ends its thread, once its current call returns. */
  close(session?: Uint8Array): void {
    if (this.over !== undefined) return;
    this.post('close', [session ?? null], this.nextId++);
  }

  settle(answer: LaneAnswer): void {
    const waiting = this.pending.get(answer.id);
    if (waiting === undefined) return;
    this.pending.delete(answer.id);
    // loading the library on a new thread proves nothing of the token: only its calls count
    if (waiting.op !== 'init') this.onAnswer();
    if (answer.ok) waiting.resolve(answer.value);
    else waiting.reject(remoteError(answer.error));
  }

  gone(description: string): void {
    this.over ??= description;
    this.markEnded();
    for (const waiting of this.pending.values()) waiting.reject(new HostGone(`the PKCS#11 module host ${description}`));
    this.pending.clear();
  }
}

/** The error as pkcs11js raised it in the host: the same name, message (CKR_…), code and method. */
function remoteError(fields: RemoteErrorFields): Error {
  return Object.assign(new Error(fields.message), {
    name: fields.name,
    ...(fields.code === undefined ? {} : { code: fields.code }),
    ...(fields.method === undefined ? {} : { method: fields.method }),
    ...(fields.found === undefined ? {} : { found: fields.found }),
    ...(fields.tokenKeys === undefined ? {} : { tokenKeys: fields.tokenKeys }),
  });
}
