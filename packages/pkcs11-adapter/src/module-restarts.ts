import { describePkcs11Error } from './pkcs11-failure.js';
import type { Pkcs11Logger } from './pkcs11-logger.js';
import { RestartLimiter } from './restart-limiter.js';
import { seconds } from './silence-watch.js';

/** Why the module is started anew: the token lost (a reset), or a call that never returned or a process that ended (a restart). */
export type RestartCause = 'token' | 'hung' | 'exited';

export interface ModuleRestartsOptions {
  /** starts a new module process and puts it in service; rejects when it could not */
  readonly start: () => Promise<void>;
  /** counts each start, a reset (the token lost) or a restart, and gives its number */
  readonly onStart: (cause: RestartCause) => number;
  /** the start failed: why (for /readyz) */
  readonly onFailure: (reason: string) => void;
  readonly logger: Pkcs11Logger;
}

/**
 * When the module is started anew: at once for the first cause, then no sooner than the
 * RestartLimiter allows, whatever the cause, and again after a start that failed (a token still
 * away). Causes that come while a start waits or runs join it.
 */
export class ModuleRestarts {
  private readonly limiter = new RestartLimiter();
  private cause: RestartCause | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ModuleRestartsOptions) {}

  /** A start in progress, to wait for; undefined when none is. */
  get starting(): Promise<void> | undefined {
    return this.running;
  }

  /** Milliseconds until the next start, while one waits for the rate limit; undefined otherwise. */
  waiting(now: number): number | undefined {
    return this.nextAt === undefined ? undefined : Math.max(0, this.nextAt - now);
  }

  request(cause: RestartCause, reason: string): void {
    if (this.stopped) return;
    this.cause ??= cause;
    if (this.running !== undefined || this.timer !== undefined) return;
    const wait = this.limiter.wait(Date.now());
    if (wait === 0) return this.startNow(reason);
    this.nextAt = Date.now() + wait;
    this.options.logger.warn(`${reason}: the PKCS#11 module starts anew in ${seconds(wait)} s (restarts are rate-limited)`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startNow(reason);
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = undefined;
  }

  private startNow(reason: string): void {
    if (this.stopped) return;
    const cause = this.cause ?? 'exited';
    this.limiter.record(Date.now());
    this.nextAt = undefined;
    const count = this.options.onStart(cause);
    this.options.logger.warn(`${reason}: starting the PKCS#11 module anew in a new process (${cause === 'token' ? 'reset' : 'restart'} ${count})`);
    this.running = this.options.start().then(
      () => {
        this.running = undefined;
        this.cause = undefined;
      },
      (err: unknown) => {
        this.running = undefined;
        const why = `the PKCS#11 module did not start anew (${describePkcs11Error(err)})`;
        this.options.logger.warn(why);
        this.options.onFailure(why);
        this.request(cause, why);
      },
    );
  }
}
