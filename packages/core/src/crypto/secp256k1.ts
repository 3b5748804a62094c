import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ecdsaKnownAnswer, requireNative, selfTested, type CurveCrypto, type NativeLoad } from './curve-crypto.js';
import { nobleEcdsa } from './ecdsa-noble.js';

/** The part of the `secp256k1` package's API used here (libsecp256k1 through N-API). */
interface Libsecp256k1 {
  ecdsaSign(digest: Uint8Array, secretKey: Uint8Array): { signature: Uint8Array };
  ecdsaVerify(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean;
}

export const nobleSecp256k1 = nobleEcdsa(secp256k1);

const SELF_TEST = ecdsaKnownAnswer(
  '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
  '74a6b203feee506ab5c39ecb33a32769f79cbf765db4578d15f7e196fb6863a96e4b0679559655534b1c575b9857f1f2604eaf21edd0e703cf723042992c2cb4',
);

function fromLibsecp256k1(lib: Libsecp256k1): CurveCrypto {
  return {
    implementation: 'libsecp256k1',
    // libsecp256k1's default nonce is RFC 6979 (no extra data) and its signatures are low-S:
    // the same bytes as noble's
    sign: (secretKey, digest) => lib.ecdsaSign(digest, secretKey).signature,
    verifier: (publicKey) => {
      // libsecp256k1 parses the key it is given on every call: uncompressed, it needs no square root
      const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
      return (digest, signature) => {
        if (digest.length !== 32 || signature.length !== 64) return false;
        try {
          // libsecp256k1 refuses a high s as octez and noble's lowS do; r or s ≥ n throws (unparsable)
          return lib.ecdsaVerify(signature, digest, uncompressed);
        } catch {
          return false;
        }
      };
    },
  };
}

/**
 * libsecp256k1 (Bitcoin Core's), some 10× noble's for signing and 25× for verifying, from the
 * `secp256k1` package's prebuilt binaries. Its `bindings` entry, not its main one: the main one
 * quietly falls back to elliptic (pure JS) when the binary is missing, and here noble does that.
 */
export function loadNativeSecp256k1(): NativeLoad {
  const loaded = requireNative<Libsecp256k1>('secp256k1/bindings');
  if ('unavailable' in loaded) return loaded;
  return selfTested(fromLibsecp256k1(loaded.module), SELF_TEST);
}
