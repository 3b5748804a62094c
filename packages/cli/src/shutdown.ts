/**
 * The signals that stop a running signer cleanly: SIGTERM (process managers, `kill`), SIGINT
 * (Ctrl-C) and SIGHUP (a closed terminal). Each one lets requests in flight finish and exits 0.
 * SIGHUP stops rather than being ignored because its usual sender today is a terminal going
 * away, and a signer left running unseen is worse than one that stops.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * How long a stopping signer lets requests in flight finish before cutting their connections:
 * far above a signature's time (milliseconds; an HSM's deadline is seconds at most), and short
 * enough for a process manager's stop timeout (systemd waits 90 s before SIGKILL).
 */
export const SHUTDOWN_GRACE_MS = 5_000;

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
