/** Where the provider says what it skipped or recovered from: one line each, never a PIN or key material. */
export interface Pkcs11Logger {
  info(message: string): void;
  warn(message: string): void;
}

export const stderrLogger: Pkcs11Logger = {
  info: (message) => console.error(`[pkcs11] ${message}`),
  warn: (message) => console.error(`[pkcs11] warning: ${message}`),
};
