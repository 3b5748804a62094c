import type { Pkcs11Logger } from './pkcs11-logger.js';

const PROBE_INTERVAL_MS = 250;

export interface SilenceWatchOptions {
  /** sends one probe call to the module (C_GetSessionInfo on a session); its answer reaches answered() */
  readonly probe: () => void;
  /** how long a probe may take: a suspect module that answers none in that time is silent */
  readonly probeDeadlineMs: number;
  /** the module answers (again): sessions set aside may be replaced */
  readonly onAnswering: () => void;
  readonly logger: Pkcs11Logger;
}

/**
 * Whether the module (one process of it) answers at all. A call set aside at its deadline with
 * nothing answered since it began makes the module suspect: a probe every 250 ms tells one that
 * answers other calls (the first answer ends the suspicion) from one that answers none (no
 * answer within a probe's deadline: silent). While silent, requests are refused at once and the
 * probes go on, whether the earlier ones are still out or not (each holds its own thread): the
 * first answer ends the silence, within a quarter of a second of the HSM answering again.
 */
export class SilenceWatch {
  private lastAnswerAt = 0;
  private silentSince: number | undefined;
  private suspicion: Promise<void> | undefined;
  private endSuspicion: (() => void) | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SilenceWatchOptions) {}

  /** A call of the module answered (a result or an error). */
  answered(): void {
    this.lastAnswerAt = Date.now();
    this.endSuspicion?.();
    if (this.silentSince === undefined) return;
    this.options.logger.info(`the PKCS#11 module answers again after ${seconds(this.lastAnswerAt - this.silentSince)} s`);
    this.silentSince = undefined;
    this.options.onAnswering();
  }

  /** A call that began at `since` passed its deadline. */
  setAside(since: number): void {
    if (this.lastAnswerAt >= since) return this.options.onAnswering();
    if (this.silentSince !== undefined || this.suspicion !== undefined) return;
    const asked = Date.now();
    this.suspicion = new Promise<void>((resolve) => {
      const settle = (answered: boolean): void => {
        clearTimeout(timer);
        this.endSuspicion = undefined;
        this.suspicion = undefined;
        if (!answered && this.lastAnswerAt < asked) this.fallSilent(since);
        else this.options.onAnswering();
        resolve();
      };
      const timer = setTimeout(() => settle(false), this.options.probeDeadlineMs);
      this.endSuspicion = () => settle(true);
    });
    this.startProbing();
  }

  /** Settles once a suspicion is decided (a probe's deadline at most); undefined when there is none. */
  get verdict(): Promise<void> | undefined {
    return this.suspicion;
  }

  /** When the module fell silent, or undefined while it answers. */
  get since(): number | undefined {
    return this.silentSince;
  }

  /** A new module process, or none: whatever the last one did not answer is forgotten. */
  reset(): void {
    this.silentSince = undefined;
    this.endSuspicion?.();
  }

  stop(): void {
    this.reset();
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private fallSilent(since: number): void {
    if (this.silentSince !== undefined) return;
    this.silentSince = since;
    this.options.logger.warn('the PKCS#11 module answers nothing: requests are refused at once until it answers again (probed every 250 ms)');
    this.startProbing();
  }

  private startProbing(): void {
    if (this.probeTimer !== undefined) return;
    this.probeTimer = setInterval(() => this.tick(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
    this.options.probe();
  }

  private tick(): void {
    if (this.silentSince === undefined && this.suspicion === undefined) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      return;
    }
    this.options.probe();
  }
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
