import { createRequire } from 'node:module';
import { configInvalid } from '@tezsigner/core';

/** The binding's constants this process reads (the module itself is called in the module host). */
export const PKCS11_CONSTANTS = [
  'CKA_CLASS',
  'CKA_EC_PARAMS',
  'CKA_EC_POINT',
  'CKA_EXTRACTABLE',
  'CKA_ID',
  'CKA_LABEL',
  'CKA_PRIVATE',
  'CKA_SENSITIVE',
  'CKA_SIGN',
  'CKA_TOKEN',
  'CKA_VERIFY',
  'CKF_RW_SESSION',
  'CKF_SERIAL_SESSION',
  'CKO_PRIVATE_KEY',
  'CKO_PUBLIC_KEY',
  'CKU_USER',
] as const;

/**
 * pkcs11js as this process uses it, declared here rather than taken from pkcs11js's own types:
 * the binding is an optional dependency, and a declaration file of ours that named it would fail
 * a user's compilation (skipLibCheck false) wherever npm left it out. A test checks pkcs11js's
 * types against it.
 */
export type Pkcs11js = { readonly [name in (typeof PKCS11_CONSTANTS)[number]]: number };
/** A slot, session or object handle as pkcs11js gives it (a CK_ULONG in bytes), after crossing to this process. */
export type Handle = Uint8Array;

let loaded: { readonly binding: Pkcs11js; readonly path: string } | undefined;

/**
 * The PKCS#11 binding, loaded on first use only: it is a native addon compiled at install time
 * (an optional dependency), so a signer installed without a compiler still runs its other
 * vaults, and `--vault pkcs11` says what is missing instead of the whole command failing.
 * This process reads its constants; the module itself is loaded by the module host, which is
 * given `path` (resolved here: the host runs from no file of its own).
 */
export function loadPkcs11js(): { readonly binding: Pkcs11js; readonly path: string } {
  if (loaded !== undefined) return loaded;
  try {
    // required, not imported: the release bundle keeps the addon beside it instead of inlining it
    const require = createRequire(import.meta.url);
    const path = require.resolve('pkcs11js');
    loaded = { binding: require(path) as Pkcs11js, path };
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
