// What counts as a secret in a log, for the end-of-run check and its own test.

/** base58 secret keys, plain or encrypted, of every curve (edsk…, spesk…, BLsk…). */
const SECRET_KEY = /\b(?:ed|sp|p2|BL)e?sk[1-9A-HJ-NP-Za-km-z]{40,}/g;

export interface SecretFound {
  readonly where: string;
  /** never the secret itself: its first characters and length */
  readonly what: string;
}

const hint = (secret: string) => `${secret.slice(0, 4)}… (${secret.length} characters)`;

/** Every secret key shape and every listed secret in `text`. */
export function findSecrets(text: string, where: string, secrets: Iterable<string>): SecretFound[] {
  const found: SecretFound[] = [];
  for (const match of text.matchAll(SECRET_KEY)) found.push({ where, what: `secret key ${hint(match[0])}` });
  for (const secret of secrets) if (text.includes(secret)) found.push({ where, what: `secret ${hint(secret)}` });
  return found;
}
