import { describe, expect, it } from 'vitest';
import { CURVES } from '../curve.js';
import { generateSecretKey } from '../encoding/secret-key.js';
import { MemoryKeyProvider } from '../memory/key-provider.js';
import type { KeyInfo, KeyProvider, SignInput } from '../ports/key-provider.js';
import { checkKeyProvider, KEY_PROVIDER_RULES } from './check-key-provider.js';
import { PortContractError } from './contract-error.js';

const everyCurve = () => new MemoryKeyProvider(CURVES.map((curve) => generateSecretKey(curve)));

/** The memory provider with one of its methods replaced: the broken providers below. */
function changed(overrides: Partial<Pick<KeyProvider, 'listKeys' | 'getKey' | 'sign' | 'proveProofOfPossession'>>, inner: KeyProvider = everyCurve()): KeyProvider {
  return {
    name: 'broken',
    capabilities: inner.capabilities,
    listKeys: overrides.listKeys ?? (() => inner.listKeys()),
    getKey: overrides.getKey ?? ((pkh) => inner.getKey(pkh)),
    sign: overrides.sign ?? ((pkh, input) => inner.sign(pkh, input)),
    proveProofOfPossession: overrides.proveProofOfPossession ?? ((pkh) => (inner.proveProofOfPossession as (pkh: string) => Promise<Uint8Array>)(pkh)),
  };
}

async function brokenRule(provider: KeyProvider): Promise<string> {
  try {
    await checkKeyProvider(provider);
  } catch (err) {
    if (err instanceof PortContractError) return err.rule;
    throw err;
  }
  throw new Error('the check passed');
}

describe('checkKeyProvider', () => {
  it('passes MemoryKeyProvider with a key on every curve', async () => {
    await expect(checkKeyProvider(everyCurve())).resolves.toBeUndefined();
  });

  it('names the provider and the rule it breaks', async () => {
    const inner = everyCurve();
    const [first] = await inner.listKeys();
    const other = (await inner.listKeys())[1] as KeyInfo;
    const provider = changed({ listKeys: async () => [{ ...(first as KeyInfo), publicKey: other.publicKey }] }, inner);
    await expect(checkKeyProvider(provider)).rejects.toThrow(`KeyProvider "broken" breaks the rule "${KEY_PROVIDER_RULES.keys}": ${first?.pkh} is listed with the public key`);
  });

  it('rejects a provider holding no key', async () => {
    expect(await brokenRule(new MemoryKeyProvider([]))).toBe(KEY_PROVIDER_RULES.keys);
  });

  it('rejects a provider that finds keys it does not hold', async () => {
    const inner = everyCurve();
    expect(await brokenRule(changed({ getKey: async (pkh) => (await inner.getKey(pkh)) ?? (await inner.listKeys())[0] }, inner))).toBe(KEY_PROVIDER_RULES.lookup);
  });

  it('rejects a provider that signs the bytes where the digest is signed', async () => {
    expect(await brokenRule(changed({ sign: (pkh, input) => everyCurveSigner.sign(pkh, { ...input, digest: input.bytes.subarray(0, 32) }) }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.sign);
  });

  it('rejects a provider that writes over the bytes it signs', async () => {
    const sign = async (pkh: string, input: SignInput) => {
      const signature = await everyCurveSigner.sign(pkh, input);
      input.bytes.fill(0);
      return signature;
    };
    expect(await brokenRule(changed({ sign }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.input);
  });

  it('rejects a provider that answers an unknown key with a signature or a bare error', async () => {
    const anyKey = async (pkh: string, input: SignInput) => {
      const known = await everyCurveSigner.getKey(pkh);
      return everyCurveSigner.sign(known?.pkh ?? ((await everyCurveSigner.listKeys())[0] as KeyInfo).pkh, input);
    };
    expect(await brokenRule(changed({ sign: anyKey }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.unknown);
    const bare = async (pkh: string, input: SignInput) => {
      if ((await everyCurveSigner.getKey(pkh)) === undefined) throw new Error('no such key');
      return everyCurveSigner.sign(pkh, input);
    };
    expect(await brokenRule(changed({ sign: bare }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.unknown);
  });

  it('rejects a provider that mixes up the answers of requests in flight together', async () => {
    // a request for a key already signing is answered with the signature under way: right one at a time only
    const underWay = new Map<string, Promise<Uint8Array>>();
    const sign = (pkh: string, input: SignInput): Promise<Uint8Array> => {
      const shared = underWay.get(pkh);
      if (shared !== undefined) return shared;
      const own = Promise.resolve().then(() => everyCurveSigner.sign(pkh, input));
      underWay.set(pkh, own);
      const done = () => underWay.delete(pkh);
      own.then(done, done);
      return own;
    };
    expect(await brokenRule(changed({ sign }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.concurrent);
  });

  it('rejects a tz4 provider that signs under proof of possession when asked for the augmented scheme', async () => {
    const sign = (pkh: string, input: SignInput) => everyCurveSigner.sign(pkh, { bytes: input.bytes, digest: input.digest });
    expect(await brokenRule(changed({ sign }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.scheme);
  });

  it('rejects proofs of possession that do not verify', async () => {
    const keys = await everyCurveSigner.listKeys();
    const other = keys.find((key) => key.curve === 'bls12_381') as KeyInfo;
    const wrong = everyCurve();
    const otherTz4 = (await wrong.listKeys()).find((key) => key.curve === 'bls12_381') as KeyInfo;
    expect(other.pkh).not.toBe(otherTz4.pkh);
    expect(await brokenRule(changed({ proveProofOfPossession: () => (wrong.proveProofOfPossession as (pkh: string) => Promise<Uint8Array>)(otherTz4.pkh) }, everyCurveSigner))).toBe(KEY_PROVIDER_RULES.possession);
  });
});

const everyCurveSigner = everyCurve();
