/**
 * Per key, whether the module answers its signatures. A key whose call passed its deadline is
 * suspect until a call with it is answered: meanwhile one request every `trialMs` goes to the
 * module as a trial and the others are refused at once, so a key that hangs holds a few
 * threads of the module host at most, and every other key keeps the sessions it signs on. A
 * new module process (another generation) gives every key a fresh start.
 */
export class KeyGates {
  private readonly suspects = new Map<string, { since: number; generation: number; lastTrial: number }>();

  constructor(private readonly trialMs = 250) {}

  /** undefined when the request may go to the module, else why it is refused at once */
  admit(pkh: string, generation: number, now: number): string | undefined {
    const suspect = this.suspects.get(pkh);
    if (suspect === undefined) return undefined;
    if (suspect.generation !== generation) {
      this.suspects.delete(pkh);
      return undefined;
    }
    if (now - suspect.lastTrial >= this.trialMs) {
      suspect.lastTrial = now;
      return undefined;
    }
    return `the HSM has not answered a signature with ${pkh} for ${((now - suspect.since) / 1000).toFixed(1)} s: one request every ${this.trialMs} ms is tried, the others are refused at once`;
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
  describe(generation: number, now: number): string | undefined {
    const hanging = [...this.suspects].filter(([, suspect]) => suspect.generation === generation);
    if (hanging.length === 0) return undefined;
    const oldest = Math.min(...hanging.map(([, suspect]) => suspect.since));
    return `the HSM has not answered signatures with ${hanging.map(([pkh]) => pkh).join(', ')} for ${((now - oldest) / 1000).toFixed(1)} s`;
  }
}
