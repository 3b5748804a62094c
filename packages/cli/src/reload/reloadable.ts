import { describeFailure } from '../io/describe-failure.js';

/**
 * Something `serve` re-reads on SIGHUP (authorized keys, TLS material, the policy file).
 * `reload` reads and checks the new version completely and only then swaps it in: when it
 * throws, the running version must be untouched. It resolves with a short description of
 * what is now in use, for the log.
 */
export interface Reloadable {
  readonly name: string;
  reload(): Promise<string>;
}

/** The reloadables of one running server, reloaded together, each on its own. */
export class ReloadRegistry {
  readonly #entries: Reloadable[] = [];
  #running: Promise<void> | undefined;

  add(entry: Reloadable): void {
    this.#entries.push(entry);
  }

  get names(): readonly string[] {
    return this.#entries.map((entry) => entry.name);
  }

  /**
   * Reloads every entry; a failure is reported and keeps that entry's old version, the others
   * still reload. A reload asked for while one runs waits for it (signals can come in bursts).
   */
  async reloadAll(report: (line: string) => void): Promise<void> {
    const previous = this.#running ?? Promise.resolve();
    const run = previous.then(async () => {
      if (this.#entries.length === 0) {
        report('SIGHUP received: nothing to reload (no authorized keys, TLS or policy file in use)');
        return;
      }
      for (const entry of this.#entries) {
        try {
          report(`reloaded ${entry.name}: ${await entry.reload()}`);
        } catch (err) {
          report(`error: kept the previous ${entry.name}: ${describeFailure(err)}`);
        }
      }
    });
    this.#running = run;
    await run;
  }
}
