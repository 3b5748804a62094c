import { backendUnavailable, configInvalid, isTezsignerError } from '@tezsigner/core';
import { ckrName, describePkcs11Error, failureScope } from './pkcs11-failure.js';
import { acquireModule, reinitialize, releaseModule, type LoadedModule } from './loaded-module.js';
import type { Handle, Pkcs11js, Pkcs11Module } from './pkcs11js-loader.js';
import type { Pkcs11Logger } from './pkcs11-logger.js';
import { describeSelector, pickSlot, type TokenFacts, type TokenSelector } from './token-selector.js';

export interface TokenOptions {
  /** the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so */
  readonly modulePath: string;
  readonly token: TokenSelector;
  readonly pin: string;
  /** sessions opened at most (default 8): calls beyond it wait for one */
  readonly maxSessions?: number | undefined;
  /** read-write sessions, to create keys; signing needs read-only ones only */
  readonly readWrite?: boolean | undefined;
  readonly logger: Pkcs11Logger;
}

/** A logged-in session, and the module's generation it belongs to (handles from older ones are void). */
export interface TokenSession {
  readonly module: Pkcs11Module;
  readonly pkcs11: Pkcs11js;
  readonly session: Handle;
  readonly slot: Handle;
  readonly generation: number;
}

export interface TokenCounters {
  /** calls abandoned at their deadline (the module never answered in time) */
  hungCalls: number;
  /** sessions closed after an error that made them unusable */
  sessionsDropped: number;
  /** times the module was reinitialized after the token went away */
  resets: number;
}

class DeadlinePassed extends Error {}

/**
 * The sessions of one token, pooled: a call takes an idle session (or opens one, up to the
 * maximum, or waits), and gives it back unless the call showed it broken. A broken session is
 * closed and replaced; a lost token (device error, removed, handles void) closes them all and
 * reinitializes the module once no call is in flight, so signing resumes when the token is back.
 * A call still running at its deadline is abandoned (fails closed) and counted; its session is
 * closed whenever the module returns.
 */
export class TokenSessions {
  readonly counters: TokenCounters = { hungCalls: 0, sessionsDropped: 0, resets: 0 };
  private readonly maxSessions: number;
  private loaded: LoadedModule | undefined;
  private slot: Handle | undefined;
  private generation = 0;
  private idle: Handle[] = [];
  private inUse = 0;
  private abandoned = 0;
  private needsReset = true;
  private pinRefused: Error | undefined;
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly options: TokenOptions) {
    this.maxSessions = options.maxSessions ?? 8;
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw configInvalid(`maxSessions must be a positive integer, got ${this.maxSessions}`);
  }

  /** Runs `work` on a session of the token; fails closed (BACKEND_UNAVAILABLE) at `deadlineMs`. */
  async use<T>(work: (session: TokenSession) => Promise<T>, deadlineMs: number): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    const lease = await this.acquire(deadline);
    let timer: NodeJS.Timeout | undefined;
    const running = Promise.resolve().then(() => work(lease));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()));
    });
    try {
      const result = await Promise.race([running, timeout]);
      this.release(lease, undefined);
      return result;
    } catch (err) {
      if (!(err instanceof DeadlinePassed)) {
        this.release(lease, err);
        throw err;
      }
      this.abandon(lease, running);
      throw backendUnavailable(`the PKCS#11 module did not answer within ${deadlineMs} ms`);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    const until = Date.now() + 2000;
    while (this.inUse > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    this.lose();
    if (this.loaded !== undefined) releaseModule(this.loaded);
    this.loaded = undefined;
  }

  private async acquire(deadline: number): Promise<TokenSession> {
    for (;;) {
      if (this.closed) throw backendUnavailable('the PKCS#11 token is closed');
      if (this.pinRefused !== undefined) throw this.pinRefused;
      // another token of the same library reinitialized it: this one's slot and sessions are void
      if (this.loaded !== undefined && this.loaded.generation !== this.generation) this.lose();
      if (this.needsReset && this.inUse === 0) this.reset();
      if (!this.needsReset) {
        const session = this.idle.pop();
        if (session !== undefined) return this.lease(session);
        if (this.inUse + this.abandoned < this.maxSessions) return this.lease(this.openSession());
      }
      await this.waitUntil(deadline);
    }
  }

  private lease(session: Handle): TokenSession {
    this.inUse++;
    const { module, pkcs11 } = this.loaded as LoadedModule;
    return { module, pkcs11, session, slot: this.slot as Handle, generation: this.generation };
  }

  private release(lease: TokenSession, err: unknown): void {
    this.inUse--;
    const scope = err === undefined || isTezsignerError(err) ? 'call' : failureScope(err);
    if (scope === 'call' && lease.generation === this.loaded?.generation && !this.needsReset) {
      this.idle.push(lease.session);
    } else {
      this.counters.sessionsDropped++;
      this.closeSession(lease);
      if (scope !== 'call') this.options.logger.warn(`dropped a session after ${describePkcs11Error(err)}`);
      if (scope === 'token') this.lose();
      if (scope === 'session') this.pruneIdle();
    }
    this.wake();
  }

  /** After one session broke, the idle ones that broke with it (closed all at once, say) are dropped too. */
  private pruneIdle(): void {
    const module = this.loaded?.module;
    this.idle = this.idle.filter((session) => {
      try {
        module?.C_GetSessionInfo(session);
        return true;
      } catch {
        this.counters.sessionsDropped++;
        return false;
      }
    });
  }

  private abandon(lease: TokenSession, running: Promise<unknown>): void {
    this.inUse--;
    this.abandoned++;
    this.counters.hungCalls++;
    this.options.logger.warn(`a PKCS#11 call passed its deadline; its session is abandoned (${this.counters.hungCalls} so far)`);
    void running
      .catch(() => undefined)
      .then(() => {
        this.abandoned--;
        this.closeSession(lease);
        this.wake();
      });
  }

  /** The token is gone for the module: no session of this generation is used again. */
  private lose(): void {
    this.needsReset = true;
    for (const session of this.idle.splice(0)) this.closeSession({ session, generation: this.generation });
  }

  private closeSession(lease: { session: Handle; generation: number }): void {
    if (lease.generation !== this.loaded?.generation) return;
    try {
      this.loaded.module.C_CloseSession(lease.session);
    } catch {
      // already gone with its token
    }
  }

  /**
   * (Re)initializes the module and finds the token: a token that came back after it was lost
   * is seen only by a module initialized anew, and may sit in another slot.
   */
  private reset(): void {
    this.lose();
    if (this.loaded === undefined) {
      this.loaded = acquireModule(this.options.modulePath);
    } else if (this.loaded.generation === this.generation) {
      this.counters.resets++;
      this.options.logger.warn(`reinitializing the PKCS#11 module to find the ${describeSelector(this.options.token)} again`);
      try {
        reinitialize(this.loaded);
      } finally {
        this.generation = this.loaded.generation;
      }
    }
    this.generation = this.loaded.generation;
    try {
      this.slot = this.findSlot(this.loaded.module);
    } catch (err) {
      if (isTezsignerError(err)) throw err;
      throw backendUnavailable(`the PKCS#11 module ${this.options.modulePath} failed: ${describePkcs11Error(err)}`, err);
    }
    this.needsReset = false;
  }

  private findSlot(module: Pkcs11Module): Handle {
    const slots = module.C_GetSlotList(true);
    const facts = slots.map((slot): TokenFacts | undefined => {
      try {
        return module.C_GetTokenInfo(slot);
      } catch {
        return undefined; // a slot whose token is gone
      }
    });
    const index = pickSlot(this.options.token, facts);
    if (index === undefined) throw backendUnavailable(`no ${describeSelector(this.options.token)} in ${this.options.modulePath} (${facts.filter(Boolean).length} token(s) present)`);
    return slots[index] as Handle;
  }

  private openSession(): Handle {
    const { module, pkcs11 } = this.loaded as LoadedModule;
    let session: Handle;
    try {
      session = module.C_OpenSession(this.slot as Handle, pkcs11.CKF_SERIAL_SESSION | (this.options.readWrite === true ? pkcs11.CKF_RW_SESSION : 0));
    } catch (err) {
      if (failureScope(err) === 'token') this.lose();
      throw backendUnavailable(`cannot open a session on the ${describeSelector(this.options.token)}: ${describePkcs11Error(err)}`, err);
    }
    try {
      module.C_Login(session, pkcs11.CKU_USER, this.options.pin);
    } catch (err) {
      const name = ckrName(err);
      if (name !== 'CKR_USER_ALREADY_LOGGED_IN') {
        try {
          module.C_CloseSession(session);
        } catch {
          // the session goes with the failure
        }
        if (name === 'CKR_PIN_INCORRECT' || name === 'CKR_PIN_LOCKED' || name === 'CKR_PIN_EXPIRED' || name === 'CKR_PIN_INVALID') {
          // never tried again: a few more wrong PINs would lock the token
          this.pinRefused = configInvalid(`the ${describeSelector(this.options.token)} refused the PIN (${name})`);
          throw this.pinRefused;
        }
        if (failureScope(err) === 'token') this.lose();
        throw backendUnavailable(`cannot log in to the ${describeSelector(this.options.token)}: ${describePkcs11Error(err)}`, err);
      }
    }
    return session;
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
