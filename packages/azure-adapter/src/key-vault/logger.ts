/** Where the provider says what it skipped or retried: one line each, never key material. */
export interface KeyVaultLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The default: stderr, so stdout stays clean for command output. */
export const stderrLogger: KeyVaultLogger = {
  info: (message) => console.error(`[azure-key-vault] ${message}`),
  warn: (message) => console.error(`[azure-key-vault] warning: ${message}`),
};
