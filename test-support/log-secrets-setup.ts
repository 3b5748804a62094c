// Vitest global setup: sets the umask files are written with, gives the run a folder for logs (log-capture.ts) and, once every test
// file has run, reads every line captured there for a secret key, passphrase or token. One
// found fails the run.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_DIR_ENV, SECRETS_FILE } from './log-capture.js';
import { findSecrets } from './secret-scan.js';
import { keyVectors, loadVectors } from './vectors.js';

function vectorSecrets(): string[] {
  const encrypted = loadVectors<{ keys: { encrypted_secret_key: string; secret_key: string }[] }>('encrypted-keys').keys;
  return [...keyVectors().flatMap((key) => [key.secret_key, key.secret_key_hex]), ...encrypted.flatMap((key) => [key.secret_key, key.encrypted_secret_key])];
}

export default async function setup(): Promise<() => Promise<void>> {
  // tests write policy, key and config files with the default mode; under a 002 umask (many
  // desktops) those would be group-writable, which tezsigner rightly refuses. Test forks and the
  // signers they start inherit this.
  process.umask(0o022);
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-test-logs-'));
  process.env[LOG_DIR_ENV] = dir;
  return async () => {
    const files = await readdir(dir);
    const registered = files.includes(SECRETS_FILE)
      ? (await readFile(join(dir, SECRETS_FILE), 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as string)
      : [];
    const secrets = new Set([...vectorSecrets(), ...registered]);
    const found = [];
    let lines = 0;
    for (const file of files.filter((name) => name !== SECRETS_FILE)) {
      const text = await readFile(join(dir, file), 'utf8');
      lines += text.split('\n').length;
      found.push(...findSecrets(text, file, secrets));
    }
    if (found.length > 0) {
      throw new Error(`secrets in the logs of this run (${dir} kept): ${found.map((item) => `${item.where}: ${item.what}`).join('; ')}`);
    }
    if (process.env['TEZSIGNER_DEBUG']) process.stderr.write(`log secret check: ${lines} lines, ${secrets.size} secrets, none found\n`);
    await rm(dir, { recursive: true, force: true });
  };
}
