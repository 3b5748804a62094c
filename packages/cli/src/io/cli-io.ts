/**
 * Everything a command touches outside itself, so tests run commands in-process with their
 * own streams, environment and terminal.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Asks for a secret without echoing it; undefined when there is no terminal to ask on
   * (a service, a pipe), so commands can say how to give the secret instead.
   */
  readonly promptSecret: ((question: string) => Promise<string>) | undefined;
  /** Asks a question on the terminal, the answer echoed; undefined without a terminal. */
  readonly promptLine?: ((question: string) => Promise<string>) | undefined;
  /**
   * Reads standard input to its end when it is not a terminal (a pipe, a file), so a secret can
   * be piped in; undefined on a terminal, where promptSecret asks instead.
   */
  readonly readStdin: (() => Promise<string>) | undefined;
  /** Resolves with the signal's name when the process is asked to stop (serve waits on it). */
  readonly waitForStop: () => Promise<string>;
}
