export * from './errors.js';
export * from './curve.js';
export * from './watermark.js';
export type * from './ports/key-provider.js';
export * from './ports/watermark-store.js';
export { hexToBytes, bytesToHex } from './hex.js';
export { blake2b256, blake2b160 } from './blake2b.js';
export { type PrefixName, isPrefixName } from './prefixes.js';
export { b58cEncode, b58cDecode, type B58cDecoded } from './base58.js';
export { encodeAddress, decodeAddress, addressToBytes, isAddress } from './address.js';
export { encodePublicKey, decodePublicKey, publicKeyHash, assertPublicKey } from './public-key.js';
export { type SecretKey, decodeSecretKey, encodeSecretKey, derivePublicKey, generateSecretKey, withoutOctezKeyTag } from './secret-key.js';
export { isEncryptedSecretKey, encryptSecretKey, decryptSecretKey, encryptSecretKeyAsync, decryptSecretKeyAsync } from './encrypted-key.js';
export { encodeSignature, decodeSignature } from './signature.js';
export { type EcdsaCurve, normalizeEcdsaSignature } from './ecdsa.js';
export { signWithSecretKey, verifySignature, blsProveProofOfPossession, verifyBlsProofOfPossession } from './sign.js';
export { CRYPTO_ENV, cryptoImplementations, type CryptoChoice, type CryptoImplementation } from './crypto/implementations.js';
export { DEFAULT_MAGIC_BYTES, MAGIC_BYTES, parseMagicBytes, validateMagicBytes, describeMagicByte, formatMagicByte } from './magic-bytes.js';
export {
  parseRequest,
  watermarkOf,
  type SigningRequest,
  type BlockRequest,
  type ConsensusRequest,
  type LegacyEndorsementRequest,
  type OperationRequest,
  type MichelsonDataRequest,
  type AuthenticationRequest,
  type RequestWatermark,
} from './request.js';
export type { OperationSummary } from './operation-decoder.js';
export { authenticationBytes, authenticationVerifier, verifyAuthentication, type AuthenticationVerifier } from './authentication.js';
export { KeyedQueue } from './keyed-queue.js';
export { MemoryWatermarkStore } from './memory-watermark-store.js';
export { MemoryKeyProvider } from './memory-key-provider.js';
export { SignerService, type SignerPolicy, type SignerServiceOptions, type SignResult } from './signer-service.js';
