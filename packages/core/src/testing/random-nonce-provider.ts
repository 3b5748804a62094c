import { p256 } from '@noble/curves/nist.js';
import { keyNotFound } from '../errors.js';
import { encodePublicKey, publicKeyHash } from '../encoding/public-key.js';
import { derivePublicKey, generateSecretKey } from '../encoding/secret-key.js';
import type { KeyInfo, KeyProvider, KeyProviderCapabilities, SignInput } from '../ports/key-provider.js';

/**
 * One P-256 key signing with a random nonce, as many HSMs do: the same bytes signed twice give two
 * different valid signatures, so a store that lets two signers commit one mark lets two out.
 */
export class RandomNonceKeyProvider implements KeyProvider {
  readonly name = 'random-nonce P-256 (contract check)';
  readonly capabilities: KeyProviderCapabilities = { curves: ['p256'], proofOfPossession: false };
  readonly key: KeyInfo;
  readonly #secret: Uint8Array;

  constructor(secret: Uint8Array = generateSecretKey('p256').bytes) {
    this.#secret = secret;
    const publicKey = derivePublicKey({ curve: 'p256', bytes: secret });
    this.key = Object.freeze({ pkh: publicKeyHash('p256', publicKey), curve: 'p256', publicKey: encodePublicKey('p256', publicKey) });
  }

  /** The same key, in another provider (another signer instance). */
  twin(): RandomNonceKeyProvider {
    return new RandomNonceKeyProvider(this.#secret);
  }

  listKeys(): Promise<readonly KeyInfo[]> {
    return Promise.resolve([this.key]);
  }

  getKey(pkh: string): Promise<KeyInfo | undefined> {
    return Promise.resolve(pkh === this.key.pkh ? this.key : undefined);
  }

  sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    if (pkh !== this.key.pkh) return Promise.reject(keyNotFound(pkh));
    return Promise.resolve(p256.sign(input.digest, this.#secret, { prehash: false, lowS: false, extraEntropy: true }).toBytes('compact'));
  }
}
