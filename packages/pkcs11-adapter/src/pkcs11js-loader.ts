import { createRequire } from 'node:module';
import { configInvalid } from '@tezsigner/core';
import type * as Pkcs11jsExports from 'pkcs11js';

export type Pkcs11js = typeof Pkcs11jsExports;
export type Pkcs11Module = InstanceType<Pkcs11js['PKCS11']>;
export type Handle = Buffer;

let loaded: Pkcs11js | undefined;

/**
 * The PKCS#11 binding, loaded on first use only: it is a native addon compiled at install time
 * (an optional dependency), so a signer installed without a compiler still runs its other
 * vaults, and `--vault pkcs11` says what is missing instead of the whole command failing.
 */
export function loadPkcs11js(): Pkcs11js {
  if (loaded !== undefined) return loaded;
  try {
    // required, not imported: the release bundle keeps the addon beside it instead of inlining it
    loaded = createRequire(import.meta.url)('pkcs11js') as Pkcs11js;
    return loaded;
  } catch (err) {
    throw configInvalid(
      `PKCS#11 support is not installed: the native binding pkcs11js did not load (${(err instanceof Error ? err.message : String(err)).split('\n')[0]}). ` +
        'It is compiled at install and needs a C++ compiler then (Debian: apt-get install g++ make python3). With those installed, rebuild it: ' +
        '`npm rebuild pkcs11js` in the project that depends on @tezsigner/pkcs11-adapter (`npm install pkcs11js` if npm left it out), or for the tezsigner command, run install.sh again',
      err,
    );
  }
}
