/** A request for a key: to the module (a trial when the key is suspect), or refused at once and why. */
export type Admission = { readonly trial: boolean } | { readonly refused: string };

/**
 * Per key, whether the module answers its signatures. A key whose call passed its deadline is
 * suspect until a call with it is answered: meanwhile one request every `trialMs` goes to the
 * module as a trial and the others are refused at once, so a key that hangs holds a few
 * threads of the module host at most, and every other key keeps the sessions it signs on. In a
 * new module process (another generation) a suspect key is tried at once, still as a trial.
 */
export class KeyGates {
  private readonly suspects = new Map<string, { readonly since: number; generation: number; lastTrial: number }>();

  constructor(private readonly trialMs = 250) {}

  /** Whether the request goes to the module, as a trial when the key is suspect, or why it is refused at once. */
  admit(pkh: string, generation: number, now: number): Admission {
    const suspect = this.suspects.get(pkh);
    if (suspect === undefined) return { trial: false };
    if (suspect.generation !== generation) {
      // a new module process: tried at once, still as a trial (a key that hung may hang again)
      suspect.generation = generation;
      suspect.lastTrial = now;
      return { trial: true };
    }
    if (now - suspect.lastTrial >= this.trialMs) {
      suspect.lastTrial = now;
      return { trial: true };
    }
    return {
      refused: `the HSM has not answered a signature with ${pkh} for ${((now - suspect.since) / 1000).toFixed(1)} s: one request every ${this.trialMs} ms is tried, the others are refused at once`,
    };
  }

  /** A call with the key passed its deadline (it began at `since`). */
  hung(pkh: string, generation: number, since: number, now: number): void {
    const suspect = this.suspects.get(pkh);
    if (suspect !== undefined && suspect.generation === generation) return;
    this.suspects.set(pkh, { since, generation, lastTrial: now });
  }

  /** The module answered a call with the key (a signature or an error): it is not hanging. */
  answered(pkh: string): void {
    this.suspects.delete(pkh);
  }

  /** The keys the module does not answer for, for /readyz; undefined when there are none. */
  describe(now: number): string | undefined {
    const hanging = [...this.suspects];
    if (hanging.length === 0) return undefined;
    const oldest = Math.min(...hanging.map(([, suspect]) => suspect.since));
    return `the HSM has not answered signatures with ${hanging.map(([pkh]) => pkh).join(', ')} for ${((now - oldest) / 1000).toFixed(1)} s`;
  }
}
