/**
 * The signals that stop a running signer cleanly: SIGTERM (process managers, `kill`) and SIGINT
 * (Ctrl-C). Each one lets requests in flight finish and exits 0. SIGHUP is not one of them:
 * `serve` reloads its authorized keys, policy and TLS material on it, as daemons do.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Resolves with the first stop signal's name. Handlers stay installed until the process ends,
 * so a second Ctrl-C while requests finish is told to wait rather than killing the signer
 * mid-write (shutdown is bounded anyway: connections are cut after the grace period).
 */
export function waitForStopSignal(say: (line: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        say(`tezsigner: ${signal} received: already stopping, waiting for requests in flight\n`);
        return;
      }
      stopping = true;
      resolve(signal);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
}
