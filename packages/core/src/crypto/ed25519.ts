import type * as NodeCrypto from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { invalidEncoding } from '../errors.js';
import { hexToBytes } from '../encoding/hex.js';
import { asBuffer, importedOnce, requireNative, selfTested, type CurveCrypto, type KeyVerifier, type NativeLoad } from './curve-crypto.js';

type NodeCryptoModule = typeof NodeCrypto;

// RFC 8032 §7.1 TEST 1 (empty message): a known answer OpenSSL must give before it is trusted
const SELF_TEST = {
  secretKey: hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  publicKey: hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  message: new Uint8Array(),
  signature: hexToBytes(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ),
};

// PKCS #8 of an Ed25519 seed (RFC 8410): this prefix, then the 32 bytes
const PKCS8_PREFIX = hexToBytes('302e020100300506032b657004220420');

/**
 * Whether [S]B = R + [k]A holds exactly, k = SHA-512(R ‖ A ‖ M) mod L: RFC 8032 allows this
 * check in place of its [8][S]B = [8]R + [8][k]A, and it is the one octez (HACL*) and OpenSSL
 * make. noble makes the cofactored one, which also passes a signature whose R (or key) carries
 * a small-order component; asked of a signature noble passed, this refuses those alone.
 */
function withoutCofactor(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const { Point } = ed25519;
  const r = signature.subarray(0, 32);
  const k = Point.Fn.create(bytesToNumberLE(sha512(Uint8Array.of(...r, ...publicKey, ...message))));
  const expected = Point.fromBytes(r, false).add(Point.fromBytes(publicKey, false).multiplyUnsafe(k));
  return Point.BASE.multiplyUnsafe(bytesToNumberLE(signature.subarray(32))).equals(expected);
}

/** Strict RFC 8032 (no ZIP 215 leniency) and without the cofactor, as octez: the reference the native path is held to. */
export const nobleEd25519: CurveCrypto = {
  implementation: 'noble',
  sign: (seed, digest) => ed25519.sign(digest, seed),
  verifier: (publicKey) => (message, signature) => {
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false }) && withoutCofactor(publicKey, message, signature);
    } catch {
      return false;
    }
  },
};

/**
 * node:crypto if this runtime has it. Looked up rather than imported so that core still loads
 * where it does not exist (the caller then keeps noble). It is computation only, no I/O, so
 * core stays pure.
 */
export function builtinCrypto(): NodeCryptoModule | undefined {
  return globalThis.process?.getBuiltinModule?.('node:crypto');
}

function keyVerifier(crypto: NodeCryptoModule, publicKey: Uint8Array): KeyVerifier {
  let point;
  try {
    // OpenSSL takes a y ≥ p as y − p, so the same key would have two encodings; noble's strict decoding refuses it
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    throw invalidEncoding('edpk public key is not a valid ed25519 point');
  }
  // OpenSSL accepts signatures under a small-order key (one signature then fits many messages);
  // noble's strict mode refuses every one, and so must we
  if (point.isSmallOrder()) return () => false;
  const key = crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  // OpenSSL itself refuses S ≥ L and any R but the canonical encoding of [S]B − [k]A
  return (message, signature) => {
    if (signature.length !== 64) return false;
    try {
      return crypto.verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}

/**
 * Ed25519 by node:crypto (OpenSSL), some 15× noble's for signing and 10× for verifying.
 * Signatures are the same bytes (RFC 8032 is deterministic). Verification sits behind noble's
 * strict checks of the public key so that it refuses all that noble's strict mode refuses.
 * Like octez it verifies without the cofactor (so does nobleEd25519, past noble's own verify).
 * Unavailable where node:crypto is missing or cannot do Ed25519 (an OpenSSL without it, a FIPS
 * provider), or answers its known-answer test wrongly: the caller then keeps noble.
 */
export function loadNativeEd25519(crypto: NodeCryptoModule | undefined): NativeLoad {
  if (crypto === undefined) return { unavailable: 'this runtime has no node:crypto' };
  const privateKey = importedOnce((seed) => crypto.createPrivateKey({ key: Buffer.from([...PKCS8_PREFIX, ...seed]), format: 'der', type: 'pkcs8' }));
  return selfTested(
    {
      implementation: 'node:crypto',
      sign: (seed, digest) => new Uint8Array(crypto.sign(null, digest, privateKey(seed))),
      verifier: (publicKey) => keyVerifier(crypto, publicKey),
    },
    SELF_TEST,
  );
}

/** The part of sodium-native's API used here (libsodium through N-API); it takes Buffers only. */
interface Libsodium {
  crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
  crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

/**
 * Ed25519 on libsodium in front of `openssl` (node:crypto's, above), about twice as fast to sign
 * and 1.6× to verify: the same signatures (RFC 8032 is deterministic), and exactly OpenSSL's
 * verdicts. libsodium accepts only what OpenSSL accepts (S < L, a key that decodes, R equal to the
 * encoding of [S]B − [k]A, without the cofactor) and refuses more (R or the key of small order, a
 * non-canonical R): what it accepts is final, and what it refuses, which an honest signer's own
 * signature never is, is asked of OpenSSL. Unavailable without sodium-native's prebuilt binary
 * for this platform, or on a wrong known answer: then OpenSSL alone.
 */
export function withLibsodium(openssl: CurveCrypto): NativeLoad {
  const loaded = requireNative<Libsodium>('sodium-native');
  if ('unavailable' in loaded) return { ...loaded, instead: openssl };
  const lib = loaded.module;
  // libsodium signs with the seed and its public key (64 bytes), derived once per key
  const secretKey = importedOnce((seed) => {
    const expanded = Buffer.alloc(64);
    lib.crypto_sign_seed_keypair(Buffer.alloc(32), expanded, asBuffer(seed));
    return expanded;
  });
  const tested = selfTested(
    {
      implementation: 'libsodium',
      sign: (seed, message) => {
        const signature = new Uint8Array(64);
        lib.crypto_sign_detached(asBuffer(signature), asBuffer(message), secretKey(seed));
        return signature;
      },
      verifier: (publicKey) => {
        // OpenSSL's verifier first: it refuses the keys noble's strict decoding refuses
        const verify = openssl.verifier(publicKey);
        const key = Buffer.from(publicKey);
        return (message, signature) => {
          if (signature.length !== 64) return false;
          return lib.crypto_sign_verify_detached(asBuffer(signature), asBuffer(message), key) || verify(message, signature);
        };
      },
    },
    SELF_TEST,
  );
  return 'crypto' in tested ? tested : { ...tested, instead: openssl };
}
