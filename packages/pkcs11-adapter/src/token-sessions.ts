import { backendUnavailable, configInvalid, isTezsignerError } from '@tezsigner/core';
import { HostGone, ModuleHost, type HostLane } from './module-host/module-host.js';
import { ckrName, describePkcs11Error, failureScope } from './pkcs11-failure.js';
import { loadPkcs11js, type Handle, type Pkcs11js } from './pkcs11js-loader.js';
import type { Pkcs11Logger } from './pkcs11-logger.js';
import { PIN_ENV } from './pin.js';
import { RestartLimiter } from './restart-limiter.js';
import { describeSelector, type TokenSelector } from './token-selector.js';
import { findTokenSlot } from './token-slot.js';

export interface TokenOptions {
  /** the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so */
  readonly modulePath: string;
  readonly token: TokenSelector;
  readonly pin: string;
  /** sessions opened at most (default 8): calls beyond it wait for one */
  readonly maxSessions?: number;
  /** read-write sessions, to create keys; signing needs read-only ones only */
  readonly readWrite?: boolean;
  /** how long a readiness probe may take while the module is silent (default 3000 ms) */
  readonly deadlineMs?: number;
  /** a call out this long is taken as never returning: the module is started anew (default 10 s or 3 deadlines) */
  readonly restartAfterMs?: number;
  /** the module's environment, its settings (e.g. SOFTHSM2_CONF) read there (default: this process's); never the signer's secrets */
  readonly env?: NodeJS.ProcessEnv;
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

const PROBE_INTERVAL_MS = 250;
/** a probe is one quick call (C_GetSessionInfo): a module that takes longer answers nothing useful */
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

class DeadlinePassed extends Error {}

/**
 * The sessions of one token, each on its own thread of a module host process (ModuleHost),
 * pooled: a call takes an idle session (or opens one, up to the maximum, or waits for one).
 *
 * A call still running at its deadline fails closed and its session is set aside, never used
 * again (closed when the module answers it); sessions set aside do not count against the
 * maximum, so new ones keep signing if the module answers other calls. When nothing has
 * answered since the oldest call out began, the module is silent: every request is refused at
 * once, and a probe every 250 ms finds when it answers again. A call out longer than
 * `restartAfterMs`, as many calls set aside as the maximum of sessions, a lost token (device
 * error, removed) or a host that died start the module anew in a new process, the old one
 * serving what it still can until the new one is up; those restarts are rate-limited
 * (RestartLimiter), whatever their cause.
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
  private starting: Promise<void> | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private nextStartAt: number | undefined;
  private restartCause: 'token' | 'hung' | 'exited' | undefined;
  /** why there is no module to call (the token lost, the host ended, a start that failed) */
  private trouble = 'the PKCS#11 module is not started';
  private readonly limiter = new RestartLimiter();
  private readonly stuck = new Set<Stuck>();
  private silentSince: number | undefined;
  /** a probe made because a call passed its deadline with nothing answered since it began */
  private suspicion: Promise<void> | undefined;
  private endSuspicion: (() => void) | undefined;
  private lastAnswerAt = 0;
  private probeTimer: NodeJS.Timeout | undefined;
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
      if (this.starting !== undefined) return `${this.trouble}; the PKCS#11 module is starting again`;
      const wait = this.nextStartAt === undefined ? 0 : Math.max(0, this.nextStartAt - Date.now());
      return `${this.trouble}; the PKCS#11 module starts again in ${seconds(wait)} s`;
    }
    if (this.silentSince !== undefined) return this.silence();
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.startTimer);
    clearTimeout(this.hungTimer);
    clearInterval(this.probeTimer);
    this.wake();
    const until = Date.now() + CLOSE_GRACE_MS;
    if (this.starting !== undefined) await this.beforeDeadline(this.starting, until).catch(() => undefined);
    while ([...this.instances].some((instance) => instance.busy.size > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all([...this.instances].map((instance) => this.shutDown(instance, until)));
  }

  private async acquire(deadline: number, probe: boolean, trial: boolean): Promise<Lease> {
    // a call just passed its deadline: whether the module still answers is known within a probe
    if (!probe && this.suspicion !== undefined) await this.beforeDeadline(this.suspicion, deadline).catch(() => undefined);
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
    if (!probe && this.silentSince !== undefined) throw backendUnavailable(`${this.silence()}: refused at once until it answers again`);
    if (this.current === undefined && this.starting === undefined) throw backendUnavailable(this.problem() ?? this.trouble);
  }

  private silence(): string {
    const out = this.current === undefined ? 0 : this.stuckOn(this.current);
    return `the PKCS#11 module has not answered for ${seconds(Date.now() - (this.silentSince ?? Date.now()))} s (${out} call(s) still out)`;
  }

  /** The instance a start in progress gives, within the deadline. */
  private async started(deadline: number): Promise<Instance> {
    const starting = this.starting;
    if (starting !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        starting,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        }),
      ]).finally(() => clearTimeout(timer));
    }
    if (this.current !== undefined) return this.current;
    throw backendUnavailable(this.problem() ?? this.trouble);
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
      const result = await this.beforeDeadline(running, deadline);
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
      throw backendUnavailable(`the PKCS#11 module did not answer within ${deadlineMs} ms (its session is set aside)`);
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
      const session = await this.beforeDeadline(opening, deadline);
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
        throw backendUnavailable(`the PKCS#11 module did not open a session in time`);
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

  /** Loads the module on a new lane, opens a session and logs in (once per process: later logins find it done). */
  private async login(instance: Instance, lane: HostLane): Promise<Handle> {
    const { binding } = this.pkcs11;
    await lane.request('init');
    const flags = binding.CKF_SERIAL_SESSION | (this.options.readWrite === true ? binding.CKF_RW_SESSION : 0);
    const session = await lane.request<Handle>('call', 'C_OpenSession', [instance.slot, flags]);
    try {
      await lane.request('call', 'C_Login', [session, binding.CKU_USER, this.options.pin]);
    } catch (err) {
      const name = ckrName(err);
      if (name === 'CKR_USER_ALREADY_LOGGED_IN') return session;
      await lane.request('call', 'C_CloseSession', [session]).catch(() => undefined);
      if (name === 'CKR_PIN_INCORRECT' || name === 'CKR_PIN_LOCKED' || name === 'CKR_PIN_EXPIRED' || name === 'CKR_PIN_INVALID' || name === 'CKR_PIN_LEN_RANGE') {
        // never tried again: a few more wrong PINs would lock the token
        this.pinRefused = configInvalid(`the ${describeSelector(this.options.token)} refused the PIN (${name})`);
        throw this.pinRefused;
      }
      if (name === 'CKR_USER_PIN_NOT_INITIALIZED') {
        throw configInvalid(`the ${describeSelector(this.options.token)} has no user PIN yet: set one first (pkcs11-tool --init-pin, or the HSM vendor's tool)`);
      }
      throw err;
    }
    return session;
  }

  /** A call passed its deadline: its session is never used again, and the module may be silent or stuck. */
  private setAside(instance: Instance, since: number, settled: Promise<unknown>): void {
    const entry: Stuck = { instance, since };
    this.stuck.add(entry);
    this.counters.hungCalls++;
    const out = this.stuckOn(instance);
    this.options.logger.warn(`a PKCS#11 call passed its deadline; its session is set aside, never used again (${this.counters.hungCalls} so far, ${out} still out)`);
    if (instance === this.current) {
      if (this.lastAnswerAt < since) this.suspect(since);
      else this.replenish(instance);
      if (out >= this.maxSessions) this.requestStart('hung', `${out} PKCS#11 calls are stuck`);
      this.scheduleHungCheck();
    }
    void settled.finally(() => {
      this.stuck.delete(entry);
      this.wake();
    });
  }

  /** Any call answered: the module is alive (a silence ends). */
  private answered(generation: number): void {
    if (generation !== this.current?.generation) return;
    this.lastAnswerAt = Date.now();
    this.endSuspicion?.();
    if (this.silentSince === undefined) return;
    this.options.logger.info(`the PKCS#11 module answers again after ${seconds(this.lastAnswerAt - this.silentSince)} s`);
    this.silentSince = undefined;
    if (this.current !== undefined) this.replenish(this.current);
  }

  /**
   * A session opened in place of those set aside, while the module answers: the next request
   * finds one ready instead of waiting for a thread and a login.
   */
  private replenish(instance: Instance): void {
    if (this.replenishing || this.closed || instance !== this.current || instance.retired || this.silentSince !== undefined) return;
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

  /**
   * Nothing answered since `since`: probes tell a module that answers other calls from one that
   * answers none. Requests wait for the verdict (a probe's deadline at most); the first answer
   * ends the suspicion, none by the deadline makes the module silent.
   */
  private suspect(since: number): void {
    if (this.silentSince !== undefined || this.suspicion !== undefined) return;
    const asked = Date.now();
    this.suspicion = new Promise<void>((resolve) => {
      const timer = setTimeout(() => settle(false), Math.min(this.deadlineMs, PROBE_DEADLINE_MS));
      const settle = (answered: boolean): void => {
        clearTimeout(timer);
        this.endSuspicion = undefined;
        this.suspicion = undefined;
        if (!answered && this.lastAnswerAt < asked) this.fallSilent(since);
        else if (this.current !== undefined) this.replenish(this.current);
        resolve();
      };
      this.endSuspicion = () => settle(true);
    });
    this.startProbing();
  }

  private probeCall(): Promise<unknown> {
    return this.use((token) => token.lane.request('call', 'C_GetSessionInfo', [token.session]), Math.min(this.deadlineMs, PROBE_DEADLINE_MS), { probe: true }).catch(
      () => undefined,
    );
  }

  private fallSilent(since: number): void {
    if (this.silentSince !== undefined) return;
    this.silentSince = since;
    this.options.logger.warn('the PKCS#11 module answers nothing: requests are refused at once until it answers again (probed every 250 ms)');
    this.startProbing();
  }

  private startProbing(): void {
    if (this.probeTimer !== undefined) return;
    this.probe();
    this.probeTimer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  /**
   * One call on a session every 250 ms while the module is suspect or silent, whether the earlier
   * ones are still out or not (a probe that hangs holds its own thread): the first that is
   * answered ends it, within a quarter of a second of the HSM answering again. The calls out are
   * bounded: at the maximum the module is started anew.
   */
  private probe(): void {
    if ((this.silentSince === undefined && this.suspicion === undefined) || this.closed) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      return;
    }
    if (this.current !== undefined) void this.probeCall();
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
        if (age >= this.restartAfterMs) this.requestStart('hung', `a PKCS#11 call has not returned for ${seconds(age)} s`);
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
    this.silentSince = undefined;
    this.retire(instance);
    this.requestStart('token', reason);
  }

  private hostEnded(generation: number, description: string): void {
    for (const instance of this.instances) if (instance.generation === generation) this.instances.delete(instance);
    if (this.current?.generation !== generation || this.closed) return;
    this.current = undefined;
    this.silentSince = undefined;
    this.trouble = `the PKCS#11 module's process ${description}`;
    this.options.logger.warn(this.trouble);
    this.requestStart('exited', this.trouble);
  }

  /** Starts a new module process now, or when the rate limit allows. */
  private requestStart(cause: 'token' | 'hung' | 'exited', reason: string): void {
    if (this.closed || this.pinRefused !== undefined) return;
    this.restartCause ??= cause;
    if (this.starting !== undefined || this.startTimer !== undefined) return;
    const wait = this.limiter.wait(Date.now());
    if (wait > 0) {
      this.nextStartAt = Date.now() + wait;
      this.options.logger.warn(`${reason}: the PKCS#11 module starts anew in ${seconds(wait)} s (restarts are rate-limited)`);
      this.startTimer = setTimeout(() => {
        this.startTimer = undefined;
        this.startNow(reason);
      }, wait);
      this.startTimer.unref();
      return;
    }
    this.startNow(reason);
  }

  private startNow(reason: string): void {
    if (this.closed) return;
    const cause = this.restartCause ?? 'exited';
    this.limiter.record(Date.now());
    this.nextStartAt = undefined;
    if (cause === 'token') this.counters.resets++;
    else this.counters.restarts++;
    this.options.logger.warn(`${reason}: starting the PKCS#11 module anew in a new process (${cause === 'token' ? 'reset' : 'restart'} ${cause === 'token' ? this.counters.resets : this.counters.restarts})`);
    this.starting = this.startInstance().then(
      (instance) => {
        this.starting = undefined;
        this.restartCause = undefined;
        if (this.closed) return void this.shutDown(instance, Date.now());
        const old = this.current;
        this.current = instance;
        this.silentSince = undefined;
        if (old !== undefined) this.retire(old);
        this.options.logger.info(`the PKCS#11 module is serving again from a new process`);
        this.scheduleHungCheck();
        this.wake();
      },
      (err: unknown) => {
        this.starting = undefined;
        this.trouble = `the PKCS#11 module did not start anew (${isTezsignerError(err) ? err.message : describePkcs11Error(err)})`;
        this.options.logger.warn(this.trouble);
        this.requestStart(cause, this.trouble);
        this.wake();
      },
    );
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
      const session = await this.beforeDeadline(first, Date.now() + this.startTimeoutMs);
      instance.idle.push(this.leaseOf(instance, lane, session));
      this.prepareSpare(instance);
      return instance;
    } catch (err) {
      host.kill();
      this.instances.delete(instance);
      if (err instanceof DeadlinePassed) throw backendUnavailable(`the PKCS#11 module ${this.options.modulePath} did not answer within ${this.startTimeoutMs} ms as it started`);
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

  private beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()));
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  private waitUntil(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        reject(backendUnavailable(`no PKCS#11 session of the ${describeSelector(this.options.token)} came free in time`));
      }, Math.max(0, deadline - Date.now()));
      this.waiters.push(wake);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** The signer's environment for the module (its settings, e.g. SOFTHSM2_CONF), without the signer's secrets. */
export function moduleEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = { ...env };
  // the signer's own options for Node are not the host's
  for (const name of [PIN_ENV, 'TEZSIGNER_PASSPHRASE', 'AZURE_TABLE_CONNECTION_STRING', 'AZURE_CLIENT_SECRET', 'NODE_OPTIONS']) delete kept[name];
  return kept;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
