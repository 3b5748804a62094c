import { CURVES } from '../curve.js';
import { keyNotFound, notSupported } from '../errors.js';
import type { KeyInfo, KeyProvider, KeyProviderCapabilities, SignInput } from '../ports/key-provider.js';
import { encodeAddress } from '../encoding/address.js';
import { b58cEncode } from '../encoding/base58.js';
import { CURVE_PREFIXES } from '../encoding/prefixes.js';
import { blake2b160 } from '../crypto/blake2b.js';
import { derivePublicKey, type SecretKey } from '../encoding/secret-key.js';
import { blsProveProofOfPossession, signWithSecretKey } from '../signing/sign-and-verify.js';

interface HeldKey {
  readonly info: KeyInfo;
  readonly secret: SecretKey;
}

/**
 * Keys held in memory as plain secret keys (decrypted key files, tests, embedding). Signs
 * in-process with core's own signing, for every curve, and proves possession of tz4 keys.
 * The secrets live in a private field: they are never listed, returned or printed.
 */
export class MemoryKeyProvider implements KeyProvider {
  readonly name = 'memory';
  readonly capabilities: KeyProviderCapabilities = { curves: CURVES, proofOfPossession: true };
  readonly #keys = new Map<string, HeldKey>();

  constructor(secretKeys: readonly SecretKey[], options: { label?: string } = {}) {
    for (const sk of secretKeys) {
      // a copy, so a caller wiping or reusing its buffer cannot change what this provider signs with
      const secret: SecretKey = Object.freeze({ curve: sk.curve, bytes: Uint8Array.from(sk.bytes) });
      // derived from a valid secret key, so a valid point: encoded and hashed without decoding it
      // again (each decoding costs a square root; a vault of hundreds of keys opens them all)
      const publicKey = derivePublicKey(secret);
      const pkh = encodeAddress(secret.curve, blake2b160(publicKey));
      const info: KeyInfo = Object.freeze({
        pkh,
        curve: secret.curve,
        publicKey: b58cEncode(publicKey, CURVE_PREFIXES[secret.curve].publicKey),
        ...(options.label === undefined ? {} : { label: options.label }),
      });
      this.#keys.set(pkh, { info, secret });
    }
  }

  #held(pkh: string): HeldKey {
    const held = this.#keys.get(pkh);
    if (held === undefined) throw keyNotFound(pkh);
    return held;
  }

  listKeys(): Promise<readonly KeyInfo[]> {
    return Promise.resolve([...this.#keys.values()].map((held) => held.info));
  }

  getKey(pkh: string): Promise<KeyInfo | undefined> {
    return Promise.resolve(this.#keys.get(pkh)?.info);
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    return signWithSecretKey(this.#held(pkh).secret, input);
  }

  async proveProofOfPossession(pkh: string): Promise<Uint8Array> {
    const { info, secret } = this.#held(pkh);
    if (info.curve !== 'bls12_381') throw notSupported(`proof of possession exists for tz4 (BLS) keys only; ${pkh} is ${info.curve}`);
    return blsProveProofOfPossession(secret);
  }
}
