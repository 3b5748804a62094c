/** How long one call may take in all, attempts and waits included. */
export interface RetryBudget {
  readonly deadlineMs: number;
  /** one attempt is abandoned (and retried if time is left) after this long */
  readonly attemptTimeoutMs: number;
  /** first backoff step; doubles per attempt, with jitter */
  readonly baseDelayMs?: number | undefined;
  readonly maxDelayMs?: number | undefined;
  /**
   * the least time worth giving an attempt: with less left before the deadline, no attempt is
   * started (default min(200, attemptTimeoutMs / 4))
   */
  readonly minAttemptMs?: number | undefined;
}

export type RetryVerdict =
  | { readonly retry: false }
  /** afterMs: the wait the service asked for (Retry-After), instead of our backoff */
  | { readonly retry: true; readonly reason: string; readonly afterMs?: number };

/** Thrown when the call did not succeed within its budget: the last error and why it stopped. */
export class RetryGaveUp extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly why: string,
    /** it stopped because the deadline would pass (else: the error was not worth retrying) */
    readonly pastDeadline = false,
  ) {
    super(why, { cause: lastError });
    this.name = 'RetryGaveUp';
  }
}

/**
 * The cause an error made from a failed call carries: the last error of a RetryGaveUp (else the
 * error itself), wrapped in the platform's TimeoutError when the deadline ended the call, which
 * is how the signer's metrics tell a call past its deadline from another failure.
 */
export function causeOf(err: unknown): unknown {
  if (!(err instanceof RetryGaveUp)) return err;
  return err.pastDeadline ? new DOMException(err.why, { name: 'TimeoutError', cause: err.lastError }) : err.lastError;
}

class AttemptTimedOut extends Error {
  constructor(ms: number) {
    super(`no answer within ${Math.round(ms)} ms`);
    this.name = 'AttemptTimedOut';
  }
}

/**
 * Runs `attempt` until it succeeds, the error is not worth retrying, or the deadline would pass.
 * Each attempt gets an AbortSignal for its own timeout and is also raced against it, so a
 * client that ignores the signal (or a credential stuck fetching a token) cannot hold the
 * caller past the deadline. A wait the service asks for that ends past the deadline is not
 * waited for at all: failing now is better than failing later.
 */
export async function retryWithinDeadline<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  classify: (err: unknown) => RetryVerdict,
  budget: RetryBudget,
  onRetry?: (reason: string, delayMs: number) => void,
): Promise<T> {
  const started = performance.now();
  const remaining = () => budget.deadlineMs - (performance.now() - started);
  for (let attempts = 1; ; attempts++) {
    const timeoutMs = Math.max(1, Math.min(budget.attemptTimeoutMs, remaining()));
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AttemptTimedOut(timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([attempt(controller.signal), timedOut]);
    } catch (err) {
      const verdict: RetryVerdict = controller.signal.aborted
        ? { retry: true, reason: `no answer within ${Math.round(timeoutMs)} ms` }
        : classify(err);
      if (!verdict.retry) throw new RetryGaveUp(err, attempts, 'not retryable');
      // A Retry-After of 0 (or a few ms) is no reason to hammer the service: the backoff is a floor.
      const backoffMs = backoff(attempts, budget);
      const delayMs = Math.max(verdict.afterMs ?? 0, backoffMs);
      const left = remaining();
      // an attempt squeezed into the last few ms could only time out: fail now instead
      if (delayMs + minAttemptMs(budget) > left) {
        // the service is named only when its wait, not our own backoff, is what passes the deadline
        const askedTooLong = verdict.afterMs !== undefined && backoffMs + minAttemptMs(budget) <= left;
        throw new RetryGaveUp(
          err,
          attempts,
          askedTooLong
            ? `${verdict.reason}; the service asked to wait ${verdict.afterMs} ms, past the ${budget.deadlineMs} ms deadline`
            : `${verdict.reason}; deadline of ${budget.deadlineMs} ms reached`,
          true,
        );
      }
      onRetry?.(verdict.reason, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    } finally {
      clearTimeout(timer);
    }
  }
}

function minAttemptMs(budget: RetryBudget): number {
  return budget.minAttemptMs ?? Math.min(200, budget.attemptTimeoutMs / 4);
}

/** Exponential backoff with equal jitter, so retries of concurrent calls spread out. */
function backoff(attempts: number, budget: RetryBudget): number {
  const cap = Math.min(budget.maxDelayMs ?? 1000, (budget.baseDelayMs ?? 50) * 2 ** (attempts - 1));
  return cap / 2 + Math.random() * (cap / 2);
}
