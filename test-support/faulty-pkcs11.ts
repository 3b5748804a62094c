// The fault-injecting PKCS#11 module (faulty-pkcs11/faulty-pkcs11.c) built with the system
// compiler and driven through its control file: a test makes a real SoftHSM2 token hang, answer
// garbage, DER or high-S signatures or fail, for whatever loads it (a provider in the test's
// process, a real `serve`).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { softHsmModule } from './softhsm.js';

const REPO = resolve(import.meta.dirname, '..');
const SOURCE = join(import.meta.dirname, 'faulty-pkcs11/faulty-pkcs11.c');
const CACHE = join(REPO, 'node_modules/.cache/tezsigner-test');

export interface FaultyModule {
  /** the library to give as --pkcs11-module */
  readonly modulePath: string;
  /** what a process loading it needs in its environment: the real module and the control file */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Replaces the rules, one a line: `<call|*> <action> [argument] [label=<key label>] [times=<n>]`
   * with hang <ms|forever>, wedge, crash, error <CKR code>, garbage, der, highs, closeall (see the C source).
   */
  setFaults(rules: readonly string[]): Promise<void>;
  remove(): Promise<void>;
}

let building: Promise<string> | undefined;

/** The module, compiled once per source version (kept under node_modules/.cache, as the test bundles are). */
export function faultyModulePath(): Promise<string> {
  building ??= build();
  return building;
}

async function build(): Promise<string> {
  const source = await readFile(SOURCE);
  const out = join(CACHE, `faulty-pkcs11-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.so`);
  if (existsSync(out)) return out;
  await mkdir(CACHE, { recursive: true });
  // pkcs11js ships the OASIS headers; the module is built against the same ones
  const headers = join(dirname(createRequire(join(REPO, 'packages/pkcs11-adapter/package.json')).resolve('pkcs11js/package.json')), 'includes/pkcs11');
  const building = `${out}.${process.pid}.tmp`;
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-Wall', '-Werror', `-I${headers}`, '-o', building, SOURCE, '-ldl', '-lpthread'], { stdio: 'pipe' });
  await rename(building, out);
  return out;
}

/** A fault module forwarding to `target` (SoftHSM2 by default), with a control file of its own and no rule yet. */
export async function faultyModule(target = softHsmModule()): Promise<FaultyModule> {
  const modulePath = await faultyModulePath();
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-faulty-'));
  const control = join(dir, 'control');
  await writeFile(control, '');
  return {
    modulePath,
    env: { FAULTY_PKCS11_TARGET: target, FAULTY_PKCS11_CONTROL: control },
    async setFaults(rules) {
      // renamed over, so the module never reads half a file
      await writeFile(`${control}.tmp`, rules.map((rule) => `${rule}\n`).join(''));
      await rename(`${control}.tmp`, control);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
