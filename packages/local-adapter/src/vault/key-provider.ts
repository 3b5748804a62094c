import { MemoryKeyProvider } from '@tezsigner/core';
import type { KeyInfo, KeyProvider, SecretKey, SignInput } from '@tezsigner/core';

interface UnlockedKey {
  readonly info: KeyInfo;
  readonly secretKey: SecretKey;
}

/**
 * The vault's keys, decrypted once, signing with core's MemoryKeyProvider; this only adds what
 * the vault knows about each key (its name as the label) to what is listed.
 */
export class VaultKeyProvider implements KeyProvider {
  readonly name = 'local';
  readonly capabilities: KeyProvider['capabilities'];
  readonly #signer: MemoryKeyProvider;
  readonly #infos: ReadonlyMap<string, KeyInfo>;

  constructor(keys: readonly UnlockedKey[]) {
    this.#signer = new MemoryKeyProvider(keys.map((key) => key.secretKey));
    this.capabilities = this.#signer.capabilities;
    this.#infos = new Map(keys.map(({ info }) => [info.pkh, info]));
  }

  async listKeys(): Promise<readonly KeyInfo[]> {
    return [...this.#infos.values()];
  }

  async getKey(pkh: string): Promise<KeyInfo | undefined> {
    return this.#infos.get(pkh);
  }

  sign(pkh: string, input: SignInput): Promise<Uint8Array> {
    return this.#signer.sign(pkh, input);
  }

  proveProofOfPossession(pkh: string): Promise<Uint8Array> {
    return this.#signer.proveProofOfPossession(pkh);
  }
}
