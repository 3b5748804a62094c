import type { Curve } from '../curve.js';
import type { BlsScheme } from '../signing/signature-version.js';

/** A key as a backend exposes it: never the secret, only what identifies and verifies it. */
export interface KeyInfo {
  /** tz1/tz2/tz3/tz4 address */
  readonly pkh: string;
  readonly curve: Curve;
  /** base58 public key (edpk/sppk/p2pk/BLpk) */
  readonly publicKey: string;
  /** backend-specific label (file name, vault key name/version) for people, never secret */
  readonly label?: string | undefined;
}

/** What a signing backend receives: the request bytes and their BLAKE2b-256 digest. */
export interface SignInput {
  /** the full request bytes, magic byte first (BLS signs these) */
  readonly bytes: Uint8Array;
  /** BLAKE2b-256 of `bytes` (Ed25519 and ECDSA sign this) */
  readonly digest: Uint8Array;
  /**
   * tz4 only: the scheme the client's `?version=` asked for (absent: `pop`). A provider that
   * cannot sign under `aug` must throw NOT_SUPPORTED, never sign under another scheme.
   */
  readonly blsScheme?: BlsScheme | undefined;
}

export interface KeyProviderCapabilities {
  readonly curves: readonly Curve[];
  readonly proofOfPossession: boolean;
}

/**
 * A port to wherever keys live (local files, Azure Key Vault, an HSM).
 * Implementations throw TezsignerError: KEY_NOT_FOUND for an unknown pkh,
 * BACKEND_UNAVAILABLE when the backend cannot answer (never a partial result).
 */
export interface KeyProvider {
  readonly name: string;
  readonly capabilities: KeyProviderCapabilities;
  listKeys(): Promise<readonly KeyInfo[]>;
  /** undefined when the backend holds no such key */
  getKey(pkh: string): Promise<KeyInfo | undefined>;
  /**
   * Raw signature bytes: 64 for Ed25519, r‖s (64) or DER for ECDSA (core normalizes to low-S
   * and verifies), 96 for BLS.
   */
  sign(pkh: string, input: SignInput): Promise<Uint8Array>;
  /** BLS proof of possession (96 bytes) of a tz4 key; only when capabilities.proofOfPossession */
  proveProofOfPossession?(pkh: string): Promise<Uint8Array>;
  close?(): Promise<void>;
}
