import { CURVES, blsProveProofOfPossession, keyNotFound, notSupported, signWithSecretKey } from '@tezsigner/core';
import type { KeyInfo, KeyProvider, SecretKey, SignInput } from '@tezsigner/core';

interface UnlockedKey {
  readonly info: KeyInfo;
  readonly secretKey: SecretKey;
}

/** The vault's keys, decrypted once, signing in memory. */
export class VaultKeyProvider implements KeyProvider {
  readonly name = 'local';
  readonly capabilities = { curves: CURVES, proofOfPossession: true };
  readonly #keys: ReadonlyMap<string, UnlockedKey>;

  constructor(keys: readonly UnlockedKey[]) {
    this.#keys = new Map(keys.map((key) => [key.info.pkh, key]));
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    return [...this.#keys.values()].map(({ info }) => info);
  }

  async getKey(pkh: string): Promise<KeyInfo | undefined> {
    return this.#keys.get(pkh)?.info;
  }

  async sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    return signWithSecretKey(this.#key(pkh).secretKey, input);
  }

  async proveProofOfPossession(pkh: string): Promise<Uint8Array> {
    const { secretKey } = this.#key(pkh);
    if (secretKey.curve !== 'bls12_381') throw notSupported(`${pkh} is not a BLS (tz4) key: no proof of possession`);
    return blsProveProofOfPossession(secretKey);
  }

  #key(pkh: string): UnlockedKey {
    const key = this.#keys.get(pkh);
    if (key === undefined) throw keyNotFound(pkh);
    return key;
  }
}
