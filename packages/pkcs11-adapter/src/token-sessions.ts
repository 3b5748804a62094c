import { backendUnavailable, configInvalid, isTezsignerError } from '@tezsigner/core';
import { HostGone, ModuleHost, type HostLane } from './module-host/module-host.js';
import { ckrName, describePkcs11Error, failureScope } from './pkcs11-failure.js';
import { loadPkcs11js, type Handle, type Pkcs11js } from './pkcs11js-loader.js';
import type { Pkcs11Logger } from './pkcs11-logger.js';
import { beforeDeadline, DeadlinePassed, pastDeadline } from './deadlines.js';
import { moduleEnvironment } from './module-environment.js';
import { ModuleRestarts } from './module-restarts.js';
import { SilenceWatch, seconds } from './silence-watch.js';
import { describeSelector, type TokenSelector } from './token-selector.js';
import { openLoggedInSession, PinRefused } from './session-login.js';
import { findTokenSlot } from './token-slot.js';

export interface TokenOptions {
  /** the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so */
  readonly modulePath: string;
  readonly token: TokenSelector;
  readonly pin: string;
  /** sessions opened at most (default 8): calls beyond it wait for one */
  readonly maxSessions?: number | undefined;
  /** read-write sessions, to create keys; signing needs read-only ones only */
  readonly readWrite?: boolean | undefined;
  /** the signing deadline (default 3000 ms): a probe takes 1 s of it at most, a module process being replaced ends a deadline after at the latest */
  readonly deadlineMs?: number | undefined;
  /** a call out this long is taken as never returning: the module is started anew (default 10 s or 3 deadlines) */
  readonly restartAfterMs?: number | undefined;
  /** the module's environment, its settings (e.g. SOFTHSM2_CONF) read there (default: this process's); never the signer's secrets */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly logger: Pkcs11Logger;
}

/** A logged-in session on its own thread of the module host, and the host it belongs to (handles from another are void). */
export interface TokenSession {
  readonly lane: HostLane;
  readonly session: Handle;
  readonly slot: Handle;
  readonly generation: number;
  /** the binding's constants (CKA_*, CKO_*, …) */
  readonly pkcs11: Pkcs11js;
}

export interface TokenCounters {
  /** calls that passed their deadline (their sessions set aside) */
  hungCalls: number;
  /** sessions closed because a call showed them broken or they were set aside */
  sessionsDropped: number;
  /** times the module was started anew because the token was lost */
  resets: number;
  /** times the module was started anew because a call never returned or the module's process ended */
  restarts: number;
}

/** What `use` is told about a call, besides its result. */
export interface UseHooks {
  /** the call passed its deadline and its session (of that module process) was set aside */
  readonly onSetAside?: (generation: number) => void;
  /** a probe of a silent module: not refused for the silence */
  readonly probe?: boolean;
  /**
   * a trial of a key the module did not answer for: its session is not counted against the
   * maximum (up to as many again), so trials never hold the sessions the other keys sign on
   */
  readonly trial?: boolean;
}

/**
 * A probe is one quick call (C_GetSessionInfo): a module that takes longer answers nothing
 * useful, and a readiness probe must leave room in /readyz's own deadline (2 s by default).
 */
const PROBE_DEADLINE_MS = 1000;
const CLOSE_GRACE_MS = 2000;

interface Instance {
  readonly host: ModuleHost;
  readonly generation: number;
  slot: Handle;
  /** a thread started and its module initialized in advance, for the next session to open */
  spare: HostLane | undefined;
  readonly idle: Lease[];
  readonly busy: Set<Lease>;
  opening: number;
  /** sessions being opened, or busy, for trials */
  trials: number;
  retired: boolean;
}

interface Lease extends TokenSession {
  readonly instance: Instance;
  /** leased for a trial (see UseHooks.trial): outside the session budget while busy */
  trial: boolean;
}

interface Stuck {
  readonly instance: Instance;
  readonly since: number;
}

/**
 * The sessions of one token, each on its own thread of a module host process (ModuleHost),
 * pooled: a call takes an idle session (or opens one, up to the maximum, or waits for one).
 *
 * A call still running at its deadline fails closed and its session is set aside, never used
 * again (closed when the module answers it); sessions set aside do not count against the
 * maximum, so new ones keep signing if the module answers other calls. A module that answers
 * nothing is found by its SilenceWatch, and requests are then refused at once. A call out
 * longer than `restartAfterMs`, as many calls set aside as the maximum of sessions, a lost
 * token (device error, removed) or a host that died start the module anew in a new process,
 * the old one serving what it still can until the new one is up (ModuleRestarts: rate-limited
 * whatever the cause).
 */
export class TokenSessions {
  readonly counters: TokenCounters = { hungCalls: 0, sessionsDropped: 0, resets: 0, restarts: 0 };
  private readonly maxSessions: number;
  private readonly deadlineMs: number;
  private readonly restartAfterMs: number;
  private readonly startTimeoutMs: number;
  private readonly pkcs11: { readonly binding: Pkcs11js; readonly path: string };
  private current: Instance | undefined;
  private readonly instances = new Set<Instance>();
  private generations = 0;
  /** why there is no module to call (the token lost, the host ended, a start that failed) */
  private trouble = 'the PKCS#11 module is not started';
  private readonly restarts: ModuleRestarts;
  private readonly silence: SilenceWatch;
  private readonly stuck = new Set<Stuck>();
  private replenishing = false;
  private hungTimer: NodeJS.Timeout | undefined;
  private pinRefused: Error | undefined;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly options: TokenOptions) {
    this.maxSessions = options.maxSessions ?? 8;
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw configInvalid(`maxSessions must be a positive integer, got ${this.maxSessions}`);
    this.deadlineMs = options.deadlineMs ?? 3000;
    this.restartAfterMs = options.restartAfterMs ?? Math.max(10_000, 3 * this.deadlineMs);
    if (!Number.isFinite(this.restartAfterMs) || this.restartAfterMs <= 0) throw configInvalid(`restartAfterMs must be a positive number of milliseconds, got ${this.restartAfterMs}`);
    this.startTimeoutMs = Math.max(15_000, this.deadlineMs);
    this.pkcs11 = loadPkcs11js();
    this.silence = new SilenceWatch({
      probe: () => void this.probeCall(),
      probeDeadlineMs: this.probeDeadlineMs(),
      onAnswering: () => {
        if (this.current !== undefined) this.replenish(this.current);
      },
      logger: options.logger,
    });
    this.restarts = new ModuleRestarts({
      start: () => this.startAnew(),
      onStart: (cause) => (cause === 'token' ? ++this.counters.resets : ++this.counters.restarts),
      onFailure: (reason) => {
        this.trouble = reason;
        this.wake();
      },
      logger: options.logger,
    });
  }

  /** Starts the module and logs in: a wrong PIN, a missing or uninitialized token stops here. */
  async open(): Promise<void> {
    const instance = await this.startInstance();
    this.current = instance;
  }

  /** The module host now serving, for handles cached against it (-1 while none is). */
  get generation(): number {
    return this.current?.generation ?? -1;
  }

  /** Runs `work` on a session of the token; fails closed (BACKEND_UNAVAILABLE) at `deadlineMs`. */
  async use<T>(work: (session: TokenSession) => Promise<T>, deadlineMs: number, hooks: UseHooks = {}): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    const trial = hooks.trial === true;
    const lease = await this.acquire(deadline, hooks.probe === true, trial);
    return this.run(lease, work, deadline, deadlineMs, hooks.onSetAside);
  }

  /** Calls past their deadline that have not returned yet (their sessions set aside). */
  callsOut(): number {
    return this.stuck.size;
  }

  /** Why the token cannot sign now (for /readyz), or undefined when it can. */
  problem(): string | undefined {
    if (this.pinRefused !== undefined) return this.pinRefused.message;
    if (this.current === undefined) {
      if (this.restarts.starting !== undefined) return `${this.trouble}; the PKCS#11 module is starting again`;
      return `${this.trouble}; the PKCS#11 module starts again in ${seconds(this.restarts.waiting(Date.now()) ?? 0)} s`;
    }
    if (this.silence.since !== undefined) return this.silenceText();
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.restarts.stop();
    this.silence.stop();
    clearTimeout(this.hungTimer);
    this.wake();
    const until = Date.now() + CLOSE_GRACE_MS;
    const starting = this.restarts.starting;
    if (starting !== undefined) await beforeDeadline(starting, until).catch(() => undefined);
    while ([...this.instances].some((instance) => instance.busy.size > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all([...this.instances].map((instance) => this.shutDown(instance, until)));
  }

  private async acquire(deadline: number, probe: boolean, trial: boolean): Promise<Lease> {
    // a call just passed its deadline: whether the module still answers is known within a probe
    const verdict = this.silence.verdict;
    if (!probe && verdict !== undefined) await beforeDeadline(verdict, deadline).catch(() => undefined);
    for (;;) {
      this.refuseAtOnce(probe);
      const instance = this.current ?? (await this.started(deadline));
      const idle = instance.idle.pop();
      if (idle !== undefined) return this.take(idle, trial);
      if (trial ? instance.trials < this.maxSessions : this.live(instance) < this.maxSessions) {
        if (this.stuckOn(instance) >= this.maxSessions) throw backendUnavailable(`${this.stuckOn(instance)} PKCS#11 calls are stuck; the module starts anew (refused at once until then)`);
        if (trial) instance.trials++;
        let opened: Lease;
        try {
          opened = await this.openSession(instance, deadline);
        } finally {
          if (trial) instance.trials--;
        }
        if (opened.instance === this.current) return this.take(opened, trial);
        opened.lane.close(opened.session);
        continue;
      }
      await this.waitUntil(deadline);
    }
  }

  /** Refusals that need no session: closed, the PIN refused, the module silent or not running. */
  private refuseAtOnce(probe: boolean): void {
    if (this.closed) throw backendUnavailable('the PKCS#11 token is closed');
    if (this.pinRefused !== undefined) throw this.pinRefused;
    if (!probe && this.silence.since !== undefined) throw backendUnavailable(`${this.silenceText()}: refused at once until it answers again`);
    if (this.current === undefined && this.restarts.starting === undefined) throw backendUnavailable(this.problem() ?? this.trouble);
  }

  private silenceText(): string {
    const out = this.current === undefined ? 0 : this.stuckOn(this.current);
    return `the PKCS#11 module has not answered for ${seconds(Date.now() - (this.silence.since ?? Date.now()))} s (${out} call(s) still out)`;
  }

  /** The instance a start in progress gives, within the deadline. */
  private async started(deadline: number): Promise<Instance> {
    const starting = this.restarts.starting;
    let late = false;
    if (starting !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        starting,
        new Promise<void>((resolve) => {
          timer = setTimeout(
            () => {
              late = true;
              resolve();
            },
            Math.max(0, deadline - Date.now()),
          );
        }),
      ]).finally(() => clearTimeout(timer));
    }
    if (this.current !== undefined) return this.current;
    const problem = this.problem() ?? this.trouble;
    throw late ? pastDeadline(problem) : backendUnavailable(problem);
  }

  private take(lease: Lease, trial: boolean): Lease {
    lease.trial = trial;
    if (trial) lease.instance.trials++;
    lease.instance.busy.add(lease);
    return lease;
  }

  /** Removes a lease from the busy ones (its call answered, failed or was set aside). */
  private untake(lease: Lease): void {
    if (!lease.instance.busy.delete(lease)) return;
    if (lease.trial) lease.instance.trials--;
    lease.trial = false;
  }

  /** Sessions counted against the maximum: idle, busy or being opened, trials aside. */
  private live(instance: Instance): number {
    return instance.idle.length + instance.busy.size + instance.opening - instance.trials;
  }

  private stuckOn(instance: Instance): number {
    let count = 0;
    for (const entry of this.stuck) if (entry.instance === instance) count++;
    return count;
  }

  private async run<T>(lease: Lease, work: (session: TokenSession) => Promise<T>, deadline: number, deadlineMs: number, onSetAside?: (generation: number) => void): Promise<T> {
    const startedAt = Date.now();
    const running = Promise.resolve().then(() => work(lease));
    try {
      const result = await beforeDeadline(running, deadline);
      this.release(lease, undefined);
      return result;
    } catch (err) {
      if (!(err instanceof DeadlinePassed)) {
        this.release(lease, err);
        throw err;
      }
      this.untake(lease);
      onSetAside?.(lease.generation);
      this.setAside(
        lease.instance,
        startedAt,
        running.then(
          () => this.dropSession(lease),
          (late: unknown) => {
            if (late instanceof HostGone) this.counters.sessionsDropped++;
            else this.dropSession(lease);
          },
        ),
      );
      this.retireIfDone(lease.instance);
      throw pastDeadline(`the PKCS#11 module did not answer within ${deadlineMs} ms (its session is set aside)`);
    }
  }

  private release(lease: Lease, err: unknown): void {
    const { instance } = lease;
    this.untake(lease);
    if (err instanceof HostGone) {
      // the session went with its process
      this.counters.sessionsDropped++;
    } else {
      const scope = err === undefined || isTezsignerError(err) ? 'call' : failureScope(err);
      if (scope === 'call') {
        // a good session, kept unless its process is being replaced or there are enough without it (a trial's)
        if (instance === this.current && !instance.retired && this.live(instance) < this.maxSessions) instance.idle.push(lease);
        else lease.lane.close(lease.session);
      } else {
        this.dropSession(lease);
        this.options.logger.warn(`dropped a session after ${describePkcs11Error(err)}`);
        if (scope === 'token') this.lose(instance, `the ${describeSelector(this.options.token)} was lost (${describePkcs11Error(err)})`);
        // the idle ones likely broke with it (all closed at once, say): reopened on demand
        if (scope === 'session') for (const other of instance.idle.splice(0)) this.dropSession(other);
      }
    }
    this.retireIfDone(instance);
    this.wake();
  }

  private dropSession(lease: Lease): void {
    this.counters.sessionsDropped++;
    lease.lane.close(lease.session);
  }

  private async openSession(instance: Instance, deadline: number): Promise<Lease> {
    instance.opening++;
    const lane = this.laneFor(instance);
    const startedAt = Date.now();
    const opening = this.login(instance, lane);
    try {
      const session = await beforeDeadline(opening, deadline);
      return this.leaseOf(instance, lane, session);
    } catch (err) {
      if (err instanceof DeadlinePassed) {
        this.setAside(
          instance,
          startedAt,
          opening.then(
            (session) => lane.close(session),
            () => lane.close(),
          ),
        );
        throw pastDeadline(`the PKCS#11 module did not open a session in time`);
      }
      lane.close();
      if (isTezsignerError(err)) throw err;
      if (!(err instanceof HostGone) && failureScope(err) === 'token') this.lose(instance, `the ${describeSelector(this.options.token)} was lost (${describePkcs11Error(err)})`);
      throw backendUnavailable(`cannot open a session on the ${describeSelector(this.options.token)}: ${describePkcs11Error(err)}`, err);
    } finally {
      instance.opening--;
      this.wake();
    }
  }

  /**
   * A thread for a new session: the spare one, started in advance (a thread and the module's
   * loading take longer than opening a session), and another spare started in its place.
   */
  private laneFor(instance: Instance): HostLane {
    const lane = instance.spare ?? instance.host.lane();
    instance.spare = undefined;
    if (!instance.retired) this.prepareSpare(instance);
    return lane;
  }

  private prepareSpare(instance: Instance): void {
    const spare = instance.host.lane();
    instance.spare = spare;
    // its answer proves nothing of the token (module loading is no token call): nothing waits on it
    spare.request('init').catch(() => undefined);
  }

  private leaseOf(instance: Instance, lane: HostLane, session: Handle): Lease {
    return { instance, lane, session, slot: instance.slot, generation: instance.generation, pkcs11: this.pkcs11.binding, trial: false };
  }

  /** A session logged in on `lane`; a refused PIN is remembered, and refused at once from then on. */
  private async login(instance: Instance, lane: HostLane): Promise<Handle> {
    try {
      return await openLoggedInSession(lane, {
        binding: this.pkcs11.binding,
        slot: instance.slot,
        token: this.options.token,
        pin: this.options.pin,
        readWrite: this.options.readWrite === true,
      });
    } catch (err) {
      if (isTezsignerError(err) && err.cause instanceof PinRefused) this.pinRefused = err;
      throw err;
    }
  }

  /** A call passed its deadline: its session is never used again, and the module may be silent or stuck. */
  private setAside(instance: Instance, since: number, settled: Promise<unknown>): void {
    const entry: Stuck = { instance, since };
    this.stuck.add(entry);
    this.counters.hungCalls++;
    const out = this.stuckOn(instance);
    this.options.logger.warn(`a PKCS#11 call passed its deadline; its session is set aside, never used again (${this.counters.hungCalls} so far, ${out} still out)`);
    if (instance === this.current) {
      this.silence.setAside(since);
      if (out >= this.maxSessions) this.restarts.request('hung', `${out} PKCS#11 calls are stuck`);
      this.scheduleHungCheck();
    }
    void settled.finally(() => {
      this.stuck.delete(entry);
      this.wake();
    });
  }

  /** Any call of the module now serving answered: it is alive. */
  private answered(generation: number): void {
    if (generation === this.current?.generation) this.silence.answered();
  }

  /**
   * A session opened in place of those set aside, while the module answers: the next request
   * finds one ready instead of waiting for a thread and a login.
   */
  private replenish(instance: Instance): void {
    if (this.replenishing || this.closed || instance !== this.current || instance.retired || this.silence.since !== undefined) return;
    if (instance.idle.length > 0 || this.live(instance) >= this.maxSessions || this.stuckOn(instance) >= this.maxSessions) return;
    this.replenishing = true;
    void this.openSession(instance, Date.now() + this.deadlineMs)
      .then(
        (lease) => {
          if (lease.instance === this.current && !lease.instance.retired) lease.instance.idle.push(lease);
          else lease.lane.close(lease.session);
          this.wake();
        },
        () => undefined,
      )
      .finally(() => {
        this.replenishing = false;
      });
  }

  private probeDeadlineMs(): number {
    return Math.min(this.deadlineMs, PROBE_DEADLINE_MS);
  }

  /** One probe of the module: C_GetSessionInfo on a session, past a silence (see SilenceWatch). */
  private probeCall(): Promise<unknown> {
    if (this.current === undefined || this.closed) return Promise.resolve();
    return this.use((token) => token.lane.request('call', 'C_GetSessionInfo', [token.session]), this.probeDeadlineMs(), { probe: true }).catch(() => undefined);
  }

  /** For readiness: one quick call on a session answers now (C_GetSessionInfo, within a probe's deadline). */
  async check(): Promise<void> {
    await this.use((token) => token.lane.request('call', 'C_GetSessionInfo', [token.session]), this.probeDeadlineMs());
  }

  /** Restarts the module once its oldest call out has been out `restartAfterMs`: it is taken as never returning. */
  private scheduleHungCheck(): void {
    if (this.hungTimer !== undefined || this.closed) return;
    const current = this.current;
    let oldest: number | undefined;
    for (const entry of this.stuck) if (entry.instance === current && (oldest === undefined || entry.since < oldest)) oldest = entry.since;
    if (oldest === undefined) return;
    this.hungTimer = setTimeout(
      () => {
        this.hungTimer = undefined;
        if (this.current !== current || current === undefined) return this.scheduleHungCheck();
        let still: number | undefined;
        for (const entry of this.stuck) if (entry.instance === current && (still === undefined || entry.since < still)) still = entry.since;
        if (still === undefined) return;
        const age = Date.now() - still;
        if (age >= this.restartAfterMs) this.restarts.request('hung', `a PKCS#11 call has not returned for ${seconds(age)} s`);
        else this.scheduleHungCheck();
      },
      Math.max(0, oldest + this.restartAfterMs - Date.now()),
    );
    this.hungTimer.unref();
  }

  /** The token is gone for this module: no session of it is used again, and a new module process will look for it. */
  private lose(instance: Instance, reason: string): void {
    if (instance !== this.current) return;
    this.current = undefined;
    this.trouble = reason;
    this.silence.reset();
    this.retire(instance);
    this.restarts.request('token', reason);
  }

  private hostEnded(generation: number, description: string): void {
    for (const instance of this.instances) if (instance.generation === generation) this.instances.delete(instance);
    if (this.current?.generation !== generation || this.closed) return;
    this.current = undefined;
    this.silence.reset();
    this.trouble = `the PKCS#11 module's process ${description}`;
    this.options.logger.warn(this.trouble);
    this.restarts.request('exited', this.trouble);
  }

  /** A new module process put in service (ModuleRestarts calls this when a restart may start). */
  private async startAnew(): Promise<void> {
    const instance = await this.startInstance();
    if (this.closed) return this.shutDown(instance, Date.now());
    const old = this.current;
    this.current = instance;
    this.silence.reset();
    if (old !== undefined) this.retire(old);
    this.options.logger.info('the PKCS#11 module is serving again from a new process');
    this.scheduleHungCheck();
    this.wake();
  }

  /** A new host process: the module loaded, the token found, one session logged in. */
  private async startInstance(): Promise<Instance> {
    const generation = ++this.generations;
    const host = await ModuleHost.start(
      {
        addon: this.pkcs11.path,
        modulePath: this.options.modulePath,
        env: moduleEnvironment(this.options.env ?? process.env),
        onExit: (description) => this.hostEnded(generation, description),
        onAnswer: () => this.answered(generation),
      },
      this.startTimeoutMs,
    ).catch((err: unknown) => {
      throw backendUnavailable(`the PKCS#11 module host did not start: ${describePkcs11Error(err)}`, err);
    });
    const instance: Instance = { host, generation, slot: new Uint8Array(), spare: undefined, idle: [], busy: new Set(), opening: 0, trials: 0, retired: false };
    this.instances.add(instance);
    // The anchor lane holds the module loaded for the life of the process: were the last lane to
    // end (every session dropped), pkcs11js would unload the library and the next lane load it
    // afresh, with every handle of the module void. It also finds the token, and opens no session.
    const anchor = host.lane();
    const lane = host.lane();
    const first = (async () => {
      await anchor.request('init');
      instance.slot = await findTokenSlot(anchor, this.options.modulePath, this.options.token);
      return this.login(instance, lane);
    })();
    try {
      const session = await beforeDeadline(first, Date.now() + this.startTimeoutMs);
      instance.idle.push(this.leaseOf(instance, lane, session));
      this.prepareSpare(instance);
      return instance;
    } catch (err) {
      host.kill();
      this.instances.delete(instance);
      if (err instanceof DeadlinePassed) throw pastDeadline(`the PKCS#11 module ${this.options.modulePath} did not answer within ${this.startTimeoutMs} ms as it started`);
      if (isTezsignerError(err)) throw err;
      if (ckrName(err) === undefined && !(err instanceof HostGone)) throw configInvalid(`cannot load the PKCS#11 module ${this.options.modulePath}: ${describePkcs11Error(err)}`, err);
      throw backendUnavailable(`the PKCS#11 module ${this.options.modulePath} failed: ${describePkcs11Error(err)}`, err);
    }
  }

  /** No new call goes to this instance; its process ends once the calls it still runs are answered. */
  private retire(instance: Instance): void {
    if (instance.retired) return;
    instance.retired = true;
    for (const lease of instance.idle.splice(0)) lease.lane.close(lease.session);
    this.retireIfDone(instance);
    // calls past their deadline are set aside, so a retired host waits a deadline at most
    setTimeout(() => this.kill(instance), this.deadlineMs + 1000).unref();
  }

  private retireIfDone(instance: Instance): void {
    if (instance.retired && instance.busy.size === 0 && instance.opening === 0) this.kill(instance);
  }

  private kill(instance: Instance): void {
    this.instances.delete(instance);
    instance.host.kill();
  }

  /** Closes the idle sessions politely (the HSM frees them), then ends the process. */
  private async shutDown(instance: Instance, until: number): Promise<void> {
    const lanes = instance.idle.splice(0);
    for (const lease of lanes) lease.lane.close(lease.session);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(lanes.map((lease) => lease.lane.ended)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(200, until - Date.now()));
      }),
    ]).finally(() => clearTimeout(timer));
    this.kill(instance);
  }

  private waitUntil(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        reject(pastDeadline(`no PKCS#11 session of the ${describeSelector(this.options.token)} came free in time`));
      }, Math.max(0, deadline - Date.now()));
      this.waiters.push(wake);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
