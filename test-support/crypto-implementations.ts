// Both implementations of every curve, the fast one and noble, for the tests that compare them.
import type { Curve } from '../packages/core/src/curve.js';
import { isTezsignerError } from '../packages/core/src/errors.js';
import type { CurveCrypto, NativeLoad } from '../packages/core/src/crypto/curve-crypto.js';
import { loadNativeBls } from '../packages/core/src/crypto/bls12-381.js';
import { builtinCrypto, loadNativeEd25519, withLibsodium } from '../packages/core/src/crypto/ed25519.js';
import { NOBLE } from '../packages/core/src/crypto/implementations.js';
import { loadNativeP256 } from '../packages/core/src/crypto/p256.js';
import { loadNativeSecp256k1 } from '../packages/core/src/crypto/secp256k1.js';

function loaded(load: NativeLoad): CurveCrypto {
  // this suite runs where the prebuilt binaries exist (linux-x64) and bcrypto was compiled at
  // install (the README lists the compiler the tests need; .ci/run installs it): a missing one is a
  // failure, not a skip
  if (!('crypto' in load)) throw new Error(`native implementation unavailable here: ${load.unavailable}`);
  return load.crypto;
}

/** The fast implementation of each curve, loaded whatever TEZSIGNER_CRYPTO says. */
export const FAST: Readonly<Record<Curve, CurveCrypto>> = {
  ed25519: loaded(withLibsodium(loaded(loadNativeEd25519(builtinCrypto())))),
  secp256k1: loaded(loadNativeSecp256k1()),
  p256: loaded(loadNativeP256()),
  bls12_381: loaded(loadNativeBls()),
};

/** [name, implementation] of both implementations of `curve`: the fast one and noble, the reference. */
export const bothOf = (curve: Curve): [string, CurveCrypto][] => [
  [FAST[curve].implementation, FAST[curve]],
  ['noble', NOBLE[curve]],
];

/** An implementation's verdict; a key it refuses to decode (INVALID_ENCODING) verifies nothing. */
export function verdictOf(crypto: CurveCrypto, pk: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return crypto.verifier(pk)(message, signature);
  } catch (err) {
    if (isTezsignerError(err, 'INVALID_ENCODING')) return false;
    throw err;
  }
}
