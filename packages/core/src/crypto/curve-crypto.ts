import { equalBytes } from '@noble/curves/utils.js';
import { hexToBytes } from '../encoding/hex.js';

/** Whether `signature` is valid for `message` under one public key; a malformed signature is simply false. */
export type KeyVerifier = (message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * One curve's signing and verification on one implementation. What is signed and verified is
 * the curve's own message: the 32-byte BLAKE2b digest for Ed25519 and ECDSA, the request bytes
 * themselves for BLS. Keys reach it already checked (assertSecretKey, assertPublicKey).
 */
export interface CurveCrypto {
  /** what does the work, for people: node:crypto, libsecp256k1, blst or noble */
  readonly implementation: string;
  /** the raw signature: 64 bytes (ECDSA r ‖ s, low-S, RFC 6979), 96 for BLS */
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** the verifier of one public key, made once per key; INVALID_ENCODING if the key is refused */
  verifier(publicKey: Uint8Array): KeyVerifier;
}

/** A native implementation, or why there is none here (and what to use `instead` of noble alone, if anything). */
export type NativeLoad = { readonly crypto: CurveCrypto } | { readonly unavailable: string; readonly instead?: CurveCrypto };

/** The same bytes as a Buffer, not copied: the native bindings here (bcrypto, sodium-native) refuse any other Uint8Array. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * A native module's exports, loaded through Node's own `require` (looked up, not imported, so
 * that core still loads where Node's module system is missing); `unavailable` says why not,
 * e.g. no prebuilt binary for this platform. Loading runs no I/O of core's own: it is the
 * module system's, done once when core is first imported.
 */
export function requireNative<T>(specifier: string): { readonly module: T } | { readonly unavailable: string } {
  const nodeModule = globalThis.process?.getBuiltinModule?.('node:module');
  if (nodeModule === undefined) return { unavailable: 'this runtime has no node:module' };
  try {
    return { module: nodeModule.createRequire(import.meta.url)(specifier) as T };
  } catch (err) {
    return { unavailable: `${specifier} did not load: ${messageOf(err)}` };
  }
}

/** A signature an implementation must give, and verify, before it is trusted. */
export interface KnownAnswer {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The ECDSA known answer of a curve: a key of 1 (its public key is the generator, compressed)
 * and the digest 32 × 0x2a, with noble's signature of it (RFC 6979, low-S).
 */
export const ecdsaKnownAnswer = (generatorHex: string, signatureHex: string): KnownAnswer => ({
  secretKey: hexToBytes(`${'00'.repeat(31)}01`),
  publicKey: hexToBytes(generatorHex),
  message: new Uint8Array(32).fill(0x2a),
  signature: hexToBytes(signatureHex),
});

/**
 * A native implementation once it has given the known answer (a signature and its
 * verification, and the refusal of that signature spoiled); else why it is not trusted.
 */
export function selfTested(crypto: CurveCrypto, known: KnownAnswer): NativeLoad {
  try {
    const signature = crypto.sign(known.secretKey, known.message);
    const verify = crypto.verifier(known.publicKey);
    const spoiled = Uint8Array.from(known.signature);
    spoiled[spoiled.length - 1] = (spoiled.at(-1) ?? 0) ^ 1;
    const right =
      equalBytes(signature, known.signature) &&
      verify(known.message, known.signature) &&
      !verify(known.message, spoiled);
    return right ? { crypto } : { unavailable: `${crypto.implementation} gave a wrong answer to its self-test` };
  } catch (err) {
    return { unavailable: `${crypto.implementation} failed its self-test: ${messageOf(err)}` };
  }
}

/**
 * `make` once per secret key array (a native library's key object: importing one costs about
 * what a signature does). Held weakly, gone with the caller's key, and checked against a copy
 * of the bytes so that an array changed in place is imported again.
 */
export function importedOnce<K>(make: (secretKey: Uint8Array) => K): (secretKey: Uint8Array) => K {
  const imported = new WeakMap<Uint8Array, { bytes: Uint8Array; key: K }>();
  return (secretKey) => {
    const known = imported.get(secretKey);
    if (known !== undefined && equalBytes(known.bytes, secretKey)) {
      return known.key;
    }
    const key = make(secretKey);
    imported.set(secretKey, { bytes: Uint8Array.from(secretKey), key });
    return key;
  };
}
