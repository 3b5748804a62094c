import type { Curve } from '../curve.js';
import { loadNativeBls, nobleBls } from './bls12-381.js';
import type { CurveCrypto, NativeLoad } from './curve-crypto.js';
import { builtinCrypto, loadNativeEd25519, nobleEd25519, withLibsodium } from './ed25519.js';
import { loadNativeP256, nobleP256 } from './p256.js';
import { loadNativeSecp256k1, nobleSecp256k1 } from './secp256k1.js';

/** The environment variable that forces noble on every curve (`noble`); unset or `native`: the fastest available. */
export const CRYPTO_ENV = 'TEZSIGNER_CRYPTO';

/** Which implementation a curve runs on, and why not the native one when it was wanted but is missing. */
export interface CryptoImplementation {
  readonly curve: Curve;
  readonly implementation: string;
  /** set when a native implementation was wanted and could not be used: the reason */
  readonly fallback?: string;
}

/** How the implementations were chosen, for people: what a signer prints when it starts. */
export interface CryptoChoice {
  readonly implementations: readonly CryptoImplementation[];
  /** noble everywhere because the environment switch says so */
  readonly forced: boolean;
  /** set when the environment switch holds a value it does not know (then ignored) */
  readonly warning?: string;
}

/** Every curve's implementation in this process, and how it was chosen. */
export interface CryptoSet extends CryptoChoice {
  readonly byCurve: Readonly<Record<Curve, CurveCrypto>>;
}

type Loaders = Readonly<Record<Curve, () => NativeLoad>>;

const NATIVE: Loaders = {
  ed25519: () => {
    const openssl = loadNativeEd25519(builtinCrypto());
    return 'crypto' in openssl ? withLibsodium(openssl.crypto) : openssl;
  },
  secp256k1: loadNativeSecp256k1,
  // OpenSSL cannot sign or verify a BLAKE2b digest through Node's API: libtorsion, else noble with a table per key
  p256: loadNativeP256,
  bls12_381: loadNativeBls,
};
/** The reference implementations, which every other one is tested against. */
export const NOBLE: Readonly<Record<Curve, CurveCrypto>> = { ed25519: nobleEd25519, secp256k1: nobleSecp256k1, p256: nobleP256, bls12_381: nobleBls };

/**
 * The fastest implementation of each curve that loads and passes its self-test, noble where
 * none does or where `switchValue` (the environment switch) is `noble`.
 */
export function chooseCrypto(switchValue: string | undefined, loaders: Loaders = NATIVE): CryptoSet {
  const forced = switchValue === 'noble';
  const known = switchValue === undefined || switchValue === '' || switchValue === 'native' || forced;
  const implementations: CryptoImplementation[] = [];
  const pick = (curve: Curve): CurveCrypto => {
    if (forced) {
      implementations.push({ curve, implementation: NOBLE[curve].implementation });
      return NOBLE[curve];
    }
    const loaded = loaders[curve]();
    if ('crypto' in loaded) {
      implementations.push({ curve, implementation: loaded.crypto.implementation });
      return loaded.crypto;
    }
    const instead = loaded.instead ?? NOBLE[curve];
    implementations.push({ curve, implementation: instead.implementation, fallback: loaded.unavailable });
    return instead;
  };
  const byCurve = { ed25519: pick('ed25519'), secp256k1: pick('secp256k1'), p256: pick('p256'), bls12_381: pick('bls12_381') };
  return {
    byCurve,
    implementations,
    forced,
    ...(known ? {} : { warning: `${CRYPTO_ENV}=${switchValue} is neither native nor noble: ignored` }),
  };
}

/**
 * The set this process signs and verifies with, chosen once when core is first loaded. The
 * environment is read here and nowhere else in core: a switch for operators and CI, not I/O.
 */
export const PROCESS_CRYPTO: CryptoSet = chooseCrypto(globalThis.process?.env?.[CRYPTO_ENV]);

/** Which implementation each curve runs on in this process, any fallback and why. */
export function cryptoImplementations(): CryptoChoice {
  const { implementations, forced, warning } = PROCESS_CRYPTO;
  return { implementations, forced, ...(warning === undefined ? {} : { warning }) };
}
