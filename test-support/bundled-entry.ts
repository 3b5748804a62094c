import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { commandBundleOptions } from '../packages/cli/scripts/bundle-options.mjs';

const REPO = resolve(import.meta.dirname, '..');
const OUT = join(REPO, 'node_modules/.cache/tezsigner-test');

/**
 * Where a bundled entry point finds the native modules it loads at run time (core's native
 * crypto, pkcs11js), as the installed command finds them beside its bundle.
 */
export const BUNDLE_NODE_PATH = ['packages/core/node_modules', 'packages/pkcs11-adapter/node_modules'].map((folder) => join(REPO, folder)).join(':');

/** How node starts a bundled entry point: its arguments before the entry's own, and its environment. */
export interface NodeEntry {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

type Inputs = Record<string, { size: number; mtimeMs: number }>;

const bundles = new Map<string, Promise<string>>();

/**
 * An entry point (e.g. packages/cli/src/main.ts, or a test's child script) bundled from the
 * current sources into one file, as pack-command.mjs bundles the shipped command: node starts it
 * in a fraction of the time tsx takes to load every source file by file, which is what a test
 * that starts many processes waits on. The bundle is kept under node_modules/.cache and reused,
 * by every test file of this run and the next, for as long as none of the files that went into
 * it has changed (size and modification time, recorded when it was built): never stale.
 */
export function bundledEntry(entry: string): Promise<string> {
  const path = resolve(REPO, entry);
  let bundle = bundles.get(path);
  if (bundle === undefined) {
    bundle = bundleOf(path);
    bundles.set(path, bundle);
  }
  return bundle;
}

/** `entry` as node alone runs it: the bundle's path, and NODE_PATH for its native modules. */
export async function nodeEntry(entry: string): Promise<NodeEntry> {
  return { args: [await bundledEntry(entry)], env: { NODE_PATH: BUNDLE_NODE_PATH } };
}

async function bundleOf(path: string): Promise<string> {
  await mkdir(OUT, { recursive: true });
  // one bundle per entry path (two entries may share a file name)
  const name = `${basename(path, '.ts')}-${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
  const outfile = join(OUT, `${name}.mjs`);
  const record = join(OUT, `${name}.inputs.json`);
  if (await unchanged(record, outfile)) return outfile;
  // written beside and renamed over, so a process starting from the last bundle reads it whole,
  // and two test files building at once each leave a complete one
  const building = `${outfile}.${process.pid}.tmp`;
  const result = await build({ ...commandBundleOptions(path, building), metafile: true });
  const inputs = await inputsOf(result.metafile);
  await rename(building, outfile);
  const recordTmp = `${record}.${process.pid}.tmp`;
  await writeFile(recordTmp, JSON.stringify(inputs));
  await rename(recordTmp, record);
  return outfile;
}

async function inputsOf(metafile: Metafile | undefined): Promise<Inputs> {
  const inputs: Inputs = {};
  for (const input of Object.keys(metafile?.inputs ?? {})) {
    // esbuild names inputs relative to its working folder; a virtual one (`ns:name`) has no file
    const file = resolve(process.cwd(), input);
    const found = await stat(file).catch(() => undefined);
    if (found !== undefined) inputs[file] = { size: found.size, mtimeMs: found.mtimeMs };
  }
  return inputs;
}

async function unchanged(record: string, outfile: string): Promise<boolean> {
  let inputs: Inputs;
  try {
    await stat(outfile);
    inputs = JSON.parse(await readFile(record, 'utf8')) as Inputs;
  } catch {
    return false;
  }
  const checks = await Promise.all(
    Object.entries(inputs).map(async ([file, was]) => {
      try {
        const now = await stat(file);
        return now.size === was.size && now.mtimeMs === was.mtimeMs;
      } catch {
        return false;
      }
    }),
  );
  return checks.length > 0 && checks.every(Boolean);
}
