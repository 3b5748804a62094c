// A SoftHSM2 token of a test's own: a temporary token directory and config (SOFTHSM2_CONF), so
// tests never see each other's keys nor the machine's tokens.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODULE_PATHS = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'];

export const SOFTHSM_PIN = 'softhsm-test-pin-5c1e';

export function softHsmModule(): string {
  const found = MODULE_PATHS.find((path) => existsSync(path));
  if (found === undefined) throw new Error('SoftHSM2 is not installed (Debian: apt-get install softhsm2; .ci/run installs it)');
  return found;
}

export interface SoftHsm {
  readonly modulePath: string;
  /** SOFTHSM2_CONF for this token's directory: set it in the environment of whatever loads the module */
  readonly conf: string;
  readonly label: string;
  readonly pin: string;
  /** takes the token's files away (as a pulled or failed HSM), and puts them back */
  takeAway(): Promise<void>;
  putBack(): Promise<void>;
  remove(): Promise<void>;
}

/** Creates a directory with a config and one initialized token `label`, user PIN SOFTHSM_PIN. */
export async function createSoftHsm(label = 'tezsigner-test'): Promise<SoftHsm> {
  const modulePath = softHsmModule();
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-softhsm-'));
  const tokens = join(dir, 'tokens');
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  await mkdir(tokens);
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', SOFTHSM_PIN, '--so-pin', '13579'], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'ignore',
  });
  const [tokenDir] = await readdir(tokens);
  if (tokenDir === undefined) throw new Error('softhsm2-util made no token');
  const away = join(dir, 'away');
  return {
    modulePath,
    conf,
    label,
    pin: SOFTHSM_PIN,
    takeAway: () => rename(join(tokens, tokenDir), away),
    putBack: () => rename(away, join(tokens, tokenDir)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
