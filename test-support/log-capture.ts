// Every log the suite's signers write is appended under one folder per run (TEZSIGNER_TEST_LOG_DIR,
// made by log-secrets-setup.ts), with the secrets the tests used, so the run's end can check that
// no log line ever held one. Outside a run that set the folder, nothing is written.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_DIR_ENV = 'TEZSIGNER_TEST_LOG_DIR';
export const SECRETS_FILE = 'secrets.jsonl';

/** Shorter values (`wrong`, `not it`) are words a log may hold for other reasons. */
const MIN_SECRET_LENGTH = 8;

/** Appends what a signer wrote (stdout, stderr, request log) to this run's log folder. */
export function captureLog(text: string): void {
  const dir = process.env[LOG_DIR_ENV];
  if (dir === undefined || text === '') return;
  appendFileSync(join(dir, `log-${process.pid}.txt`), text);
}

/** A value that must never appear in a log: a passphrase, a secret key, a token. */
export function registerSecret(value: string | undefined): void {
  const dir = process.env[LOG_DIR_ENV];
  if (dir === undefined || value === undefined || value.length < MIN_SECRET_LENGTH) return;
  appendFileSync(join(dir, SECRETS_FILE), `${JSON.stringify(value)}\n`);
}
