import { mkdir, rename } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { commandBundleOptions } from '../../scripts/bundle-options.mjs';

const REPO = resolve(import.meta.dirname, '../../../..');
const OUT = join(REPO, 'node_modules/.cache/tezsigner-test');

/**
 * Where a bundled entry point finds the native modules it loads at run time (core's native
 * crypto, pkcs11js), as the installed command finds them beside its bundle.
 */
export const BUNDLE_NODE_PATH = ['packages/core/node_modules', 'packages/pkcs11-adapter/node_modules'].map((folder) => join(REPO, folder)).join(':');

const bundles = new Map<string, Promise<string>>();

/**
 * An entry point (e.g. packages/cli/src/main.ts) bundled from the current sources into one file,
 * once per test process, as pack-command.mjs bundles the shipped command: node starts it in a
 * fraction of the time tsx takes to load the sources file by file, which is what a test that
 * restarts `serve` many times waits on. Built from sources on every run, so never stale.
 */
export function bundledEntry(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = (async () => {
      await mkdir(OUT, { recursive: true });
      // one file per entry, replaced whole (a process starting from the last one reads it whole)
      const outfile = join(OUT, `${basename(entry, '.ts')}.mjs`);
      const building = `${outfile}.${process.pid}.tmp`;
      await build(commandBundleOptions(resolve(REPO, entry), building));
      await rename(building, outfile);
      return outfile;
    })();
    bundles.set(entry, bundle);
  }
  return bundle;
}
