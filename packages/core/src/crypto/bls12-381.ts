import { BLS_SIGNATURE_DST, nobleBlsSign, nobleBlsVerifier } from './bls-scheme.js';
import { invalidEncoding } from '../errors.js';
import { hexToBytes } from '../encoding/hex.js';
import { importedOnce, requireNative, selfTested, type CurveCrypto, type NativeLoad } from './curve-crypto.js';

/** The part of @chainsafe/blst's API used here (supranational's blst through N-API). */
interface Blst {
  SecretKey: { fromBytes(bytes: Uint8Array): { sign(message: Uint8Array): { toBytes(): Uint8Array } } };
  PublicKey: { fromBytes(bytes: Uint8Array, validate: boolean): BlstPublicKey };
  Signature: { fromBytes(bytes: Uint8Array, validate: boolean): BlstSignature };
  verify(message: Uint8Array, publicKey: BlstPublicKey, signature: BlstSignature): boolean;
}
type BlstPublicKey = { readonly kind: 'blst public key' };
type BlstSignature = { readonly kind: 'blst signature' };

/** BLS min-pk by noble under octez's signature DST (noble's default DST is another one). */
export const nobleBls: CurveCrypto = {
  implementation: 'noble',
  sign: (secretKey, message) => nobleBlsSign(secretKey, message, BLS_SIGNATURE_DST),
  verifier: (publicKey) => nobleBlsVerifier(publicKey, BLS_SIGNATURE_DST),
};

// a key of 42 (little-endian, as octez stores it), the message "tezsigner"; the signature is noble's
// under BLS_SIGNATURE_DST: an implementation hashing under any other DST fails here
const SELF_TEST = {
  secretKey: hexToBytes('2a00000000000000000000000000000000000000000000000000000000000000'),
  publicKey: hexToBytes('8ce3b57b791798433fd323753489cac9bca43b98deaafaed91f4cb010730ae1e38b186ccd37a09b8aed62ce23b699c48'),
  message: new TextEncoder().encode('tezsigner'),
  signature: hexToBytes(
    'a61c7f2818e9bf3171cee3e3c52cfe219fcbcfcc8a5048e6444c5604a4ed410bc73f59481e3761b396f1ac18995f58af11bfd6bcd398aadb5a7e2ff1116703dbada4110d29f1e44c0a8babc16e7d7d8f21187d6637b9231657e282af9355129e',
  ),
};

function fromBlst(blst: Blst): CurveCrypto {
  // blst takes the scalar big-endian, octez stores it little-endian
  const secretKey = importedOnce((bytes) => blst.SecretKey.fromBytes(Uint8Array.from(bytes).reverse()));
  return {
    implementation: 'blst',
    // @chainsafe/blst hashes to G2 under BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_, octez's
    // (and Ethereum's) signature DST; the self-test holds it to that
    sign: (bytes, message) => secretKey(bytes).sign(message).toBytes(),
    verifier: (publicKey) => {
      let key: BlstPublicKey;
      try {
        key = blst.PublicKey.fromBytes(publicKey, true);
      } catch {
        throw invalidEncoding('BLpk public key is not a valid bls12_381 point');
      }
      return (message, signature) => {
        if (signature.length !== 96) return false;
        try {
          // validate: in G2 and not the identity; blst refuses any encoding but the canonical compressed one
          return blst.verify(message, key, blst.Signature.fromBytes(signature, true));
        } catch {
          return false;
        }
      };
    },
  };
}

/**
 * blst (supranational's, through @chainsafe/blst's prebuilt per-platform packages), some 40×
 * noble's for signing and 20× for verifying; unavailable where no prebuilt package fits.
 */
export function loadNativeBls(): NativeLoad {
  const loaded = requireNative<Blst>('@chainsafe/blst');
  if ('unavailable' in loaded) return loaded;
  return selfTested(fromBlst(loaded.module), SELF_TEST);
}
