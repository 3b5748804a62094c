// Loads the independent test vectors kept in the repository's test-vectors/ (see its README).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const VECTORS_DIR = resolve(import.meta.dirname, '../test-vectors');

export function loadVectors<T = unknown>(name: 'keys' | 'requests' | 'signatures' | 'operations' | 'octez-operations' | 'encrypted-keys' | 'azure-keys' | 'authentication' | 'bls-versions'): T {
  return JSON.parse(readFileSync(resolve(VECTORS_DIR, `${name}.json`), 'utf8')) as T;
}

export interface KeyVector {
  curve: 'ed25519' | 'secp256k1' | 'p256' | 'bls12_381';
  name: string;
  secret_key: string;
  secret_key_hex: string;
  public_key: string;
  public_key_hex: string;
  public_key_hash: string;
  public_key_hash_hex: string;
}

export const keyVectors = (): KeyVector[] => loadVectors<{ keys: KeyVector[] }>('keys').keys;

/** A real Azure Key Vault HSM key: its public JWK as the vault returned it, and its Tezos forms. */
export interface AzureKeyVector {
  kty: string;
  crv_as_returned: string;
  x: string;
  y: string;
  compressed_hex: string;
  public_key: string;
  public_key_hash: string;
}

export const azureKeyVectors = (): AzureKeyVector[] => loadVectors<{ keys: AzureKeyVector[] }>('azure-keys').keys;

/** A low-S ECDSA signature of signatures.json with its high-S twin. */
export interface LowSVector {
  curve: 'secp256k1' | 'p256';
  public_key: string;
  blake2b_256_hex: string;
  low_s_raw_hex: string;
  high_s_raw_hex: string;
  order_hex: string;
}

/** The same bytes signed by a tz4 key under signature version 1 and under versions 2 and 3. */
export interface BlsVersionVector {
  key: string;
  public_key_hash: string;
  request: string;
  bytes_hex: string;
  version_1_raw_signature_hex: string;
  versions_2_and_3_raw_signature_hex: string;
}

export const blsVersionVectors = (): BlsVersionVector[] => loadVectors<{ signatures: BlsVersionVector[] }>('bls-versions').signatures;
