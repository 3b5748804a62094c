import { randomBytes } from '@noble/hashes/utils.js';
import { blake2b256 } from '../crypto/blake2b.js';
import { normalizeEcdsaSignature } from '../crypto/ecdsa-normalize.js';
import { isCurve, type Curve } from '../curve.js';
import { isTezsignerError } from '../errors.js';
import { encodeAddress, isAddress } from '../encoding/address.js';
import { CURVE_PREFIXES } from '../encoding/prefixes.js';
import { decodePublicKey, publicKeyHash } from '../encoding/public-key.js';
import type { KeyInfo, KeyProvider, SignInput } from '../ports/key-provider.js';
import { verifyBlsProofOfPossession, verifySignature } from '../signing/sign-and-verify.js';
import type { BlsScheme } from '../signing/signature-version.js';
import { expectThat, underRule } from './contract-error.js';
import { buildAttestationRequest, buildBlockRequest, type ConsensusSigner } from './consensus-requests.js';

export interface KeyProviderCheckOptions {
  /** how many signatures are asked for at once; 16 by default */
  readonly concurrent?: number | undefined;
}

/** The rules checkKeyProvider checks, in its order; a PortContractError's `rule` is one of them. */
export const KEY_PROVIDER_RULES = {
  keys: 'listKeys gives its keys, each with an address, curve and public key that agree, on a curve of its capabilities',
  lookup: 'getKey gives each listed key as listed, and nothing for a key it does not hold',
  sign: 'a signature of a request verifies against the key that made it',
  input: 'signing leaves the bytes it is given unchanged',
  unknown: 'signing with a key it does not hold is refused with KEY_NOT_FOUND',
  concurrent: 'signatures asked for at once each verify for their own request',
  scheme: 'a tz4 key signs under the BLS scheme asked for, or refuses with NOT_SUPPORTED',
  possession: 'a provider that proves possession gives, for each tz4 key, a proof that verifies',
} as const;

const RULE_PORT = 'KeyProvider';
const shown = (value: unknown): string => JSON.stringify(value);

interface CheckedKey {
  readonly info: KeyInfo;
  readonly publicKey: Uint8Array;
}

/** A request to sign for `key` at `level`: blocks and attestations by turns, in the layout of its curve. */
function requestFor(key: KeyInfo, level: number): Uint8Array {
  const signer = key.pkh as ConsensusSigner;
  return level % 2 === 0 ? buildBlockRequest({ level, payloadHash: randomBytes(32) }) : buildAttestationRequest({ level, signer, payloadHash: randomBytes(32) });
}

/** The signature in octez's form (ECDSA low-S r‖s, whatever form the provider gave), or a reason it has none. */
function octezForm(curve: Curve, raw: unknown): Uint8Array | string {
  if (!(raw instanceof Uint8Array)) return `it gave ${raw === null ? 'null' : typeof raw}, not signature bytes`;
  if (curve === 'secp256k1' || curve === 'p256') {
    try {
      return normalizeEcdsaSignature(curve, raw);
    } catch (err) {
      return `it gave ${raw.length} bytes that are no ECDSA signature (${err instanceof Error ? err.message : String(err)})`;
    }
  }
  const { signatureLength } = CURVE_PREFIXES[curve];
  return raw.length === signatureLength ? raw : `it gave ${raw.length} bytes, a ${curve} signature has ${signatureLength}`;
}

/**
 * Runs the rules of the KeyProvider port against a provider, with any test runner: resolves when
 * every rule holds, rejects with a PortContractError naming the first one broken. The provider
 * must hold at least one key; each is listed, looked up and signs requests in the layout of its
 * curve, one at a time and several at once (the signature of each is checked against its own
 * request, so answers mixed up between requests are caught). The provider is left open.
 */
export async function checkKeyProvider(provider: KeyProvider, options: KeyProviderCheckOptions = {}): Promise<void> {
  const rule = <T>(which: keyof typeof KEY_PROVIDER_RULES, step: () => Promise<T>) => underRule(RULE_PORT, () => provider.name, KEY_PROVIDER_RULES[which], step);
  const keys = await rule('keys', () => listedKeys(provider));

  await rule('lookup', async () => {
    for (const { info } of keys) {
      const found = await provider.getKey(info.pkh);
      expectThat(found?.pkh === info.pkh && found.curve === info.curve && found.publicKey === info.publicKey, () => `getKey(${info.pkh}) gave ${shown(found)}, listed as ${shown(info)}`);
    }
    for (const curve of provider.capabilities.curves) {
      const stranger = encodeAddress(curve, randomBytes(20));
      const found = await provider.getKey(stranger);
      expectThat(found === undefined, () => `getKey(${stranger}), a key it cannot hold, gave ${shown(found)}`);
    }
  });

  let level = 1000;
  const signOnce = async (key: CheckedKey, scheme?: BlsScheme): Promise<void> => {
    const bytes = requestFor(key.info, ++level);
    const kept = Uint8Array.from(bytes);
    const input: SignInput = scheme === undefined ? { bytes, digest: blake2b256(bytes) } : { bytes, digest: blake2b256(bytes), blsScheme: scheme };
    const signature = octezForm(key.info.curve, await provider.sign(key.info.pkh, input));
    await rule('input', async () => expectThat(bytes.every((byte, i) => byte === kept[i]), () => `the request bytes given to sign for ${key.info.pkh} were changed`));
    expectThat(typeof signature !== 'string', () => `signing for ${key.info.pkh}: ${signature as string}`);
    expectThat(verifySignature(key.info.curve, key.publicKey, bytes, signature, scheme), () => `the signature given for ${key.info.pkh}${scheme === undefined ? '' : ` under ${scheme}`} does not verify against its public key for the request signed`);
  };

  await rule('sign', async () => {
    for (const key of keys) await signOnce(key);
  });

  await rule('unknown', async () => {
    const curve = keys[0]?.info.curve as Curve;
    const stranger = encodeAddress(curve, randomBytes(20));
    const bytes = requestFor({ pkh: stranger, curve, publicKey: '' }, ++level);
    let refusal: unknown;
    try {
      await provider.sign(stranger, { bytes, digest: blake2b256(bytes) });
    } catch (err) {
      refusal = err;
    }
    expectThat(isTezsignerError(refusal, 'KEY_NOT_FOUND'), () => `signing for ${stranger}, a key it does not hold, ${refusal === undefined ? 'gave a signature' : `threw ${String(refusal)}`}`);
  });

  await rule('concurrent', async () => {
    const count = options.concurrent ?? 16;
    const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => signOnce(keys[i % keys.length] as CheckedKey)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  });

  const tz4 = keys.filter((key) => key.info.curve === 'bls12_381');
  await rule('scheme', async () => {
    for (const key of tz4) {
      await signOnce(key, 'pop');
      try {
        await signOnce(key, 'aug');
      } catch (err) {
        if (!isTezsignerError(err, 'NOT_SUPPORTED')) throw err;
      }
    }
  });

  await rule('possession', async () => {
    const prove = provider.proveProofOfPossession?.bind(provider);
    if (!provider.capabilities.proofOfPossession) return;
    expectThat(prove !== undefined, () => 'its capabilities say it proves possession, and it has no proveProofOfPossession');
    for (const key of tz4) {
      const proof = await prove(key.info.pkh);
      expectThat(proof instanceof Uint8Array && verifyBlsProofOfPossession(key.publicKey, proof), () => `the proof of possession given for ${key.info.pkh} does not verify`);
    }
  });
}

/** Every listed key, its public key decoded and checked to be the key of its address. */
async function listedKeys(provider: KeyProvider): Promise<CheckedKey[]> {
  const listed = await provider.listKeys();
  expectThat(Array.isArray(listed) && listed.length > 0, () => `listKeys gave ${shown(listed)}: the check needs a provider holding at least one key`);
  const seen = new Set<string>();
  return listed.map((info) => {
    expectThat(typeof info?.pkh === 'string' && isAddress(info.pkh), () => `a listed key has no tz address: ${shown(info)}`);
    expectThat(!seen.has(info.pkh), () => `${info.pkh} is listed twice`);
    seen.add(info.pkh);
    expectThat(isCurve(info.curve) && provider.capabilities.curves.includes(info.curve), () => `${info.pkh} is listed on curve ${shown(info.curve)}, not one of its capabilities (${provider.capabilities.curves.join(', ')})`);
    const decoded = decodedPublicKey(info.publicKey);
    expectThat(decoded !== undefined && decoded.curve === info.curve && publicKeyHash(decoded.curve, decoded.bytes) === info.pkh, () => `${info.pkh} is listed with the public key ${shown(info.publicKey)}, which is not its key`);
    return { info, publicKey: decoded.bytes };
  });
}

function decodedPublicKey(text: string): { curve: Curve; bytes: Uint8Array } | undefined {
  try {
    return decodePublicKey(text);
  } catch {
    return undefined;
  }
}
