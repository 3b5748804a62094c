import { PrefixV2, b58DecodeAndCheckPrefix } from '@taquito/utils';
import { MemoryWatermarkStore, SignerService, isTezsignerError } from '@tezsigner/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadVectors } from '../../../test-support/vectors.js';
import { AzureKeyVaultProvider } from '../src/index.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';
import { taquitoIdentity, taquitoVerifies } from './support/taquito-check.js';

interface RequestVector {
  name: string;
  kind: string;
  level?: string;
  round?: string;
  signer?: string;
  bytes_hex: string;
}

const requests = loadVectors<{ requests: RequestVector[] }>('requests').requests;
const vector = (kind: string) => {
  const found = requests.find((r) => r.kind === kind && r.signer === undefined);
  if (found === undefined) throw new Error(`no ${kind} vector`);
  return { ...found, bytes: Uint8Array.from(Buffer.from(found.bytes_hex, 'hex')) };
};

let standIn: KeyVaultStandIn;
beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
});
afterEach(async () => {
  await standIn.stop();
});

async function signerFor(curve: 'secp256k1' | 'p256') {
  const key = standIn.vault.generate({ name: `baker-${curve}`, curve });
  const { pkh, publicKey } = await taquitoIdentity(curve, key.d as Uint8Array);
  const watermarks = new MemoryWatermarkStore();
  const keys = new AzureKeyVaultProvider({
    vaultUrl: standIn.url,
    credential: standIn.credential(),
    clientOptions: standIn.clientOptions(),
    deadlineMs: 500,
    logger: { info: () => undefined, warn: () => undefined },
  });
  return { service: new SignerService({ keys, watermarks }), watermarks, pkh, publicKey };
}

test.each(['secp256k1', 'p256'] as const)(
  '%s: a vault fault leaves no signature and the watermark unmoved; the same request signs once the vault is back',
  async (curve) => {
    const { service, watermarks, pkh, publicKey } = await signerFor(curve);
    const block = vector('block');
    standIn.inject('sign', { kind: 'status', status: 500 }, 1000);
    let failure: unknown;
    await service.sign(pkh, block.bytes).catch((err: unknown) => (failure = err));
    expect(isTezsignerError(failure, 'BACKEND_UNAVAILABLE')).toBe(true);
    // the mark moves only with a signature: nothing was stored
    expect(await watermarks.list()).toEqual([]);

    standIn.clearFaults();
    const retried = await service.sign(pkh, block.bytes);
    expect(retried.outcome).toBe('signed');
    expect(taquitoVerifies(curve, block.bytes, publicKey, decodeSignatureBytes(retried.signature))).toBe(true);
    // asked again, the stored signature is answered without another signature from the vault
    const before = standIn.authorized('sign').length;
    const repeated = await service.sign(pkh, block.bytes);
    expect(repeated).toMatchObject({ outcome: 'repeated', signature: retried.signature });
    expect(standIn.authorized('sign').length).toBe(before);
  },
);

test('a dropped connection or throttling during a baker request is retried and the watermark advances once', async () => {
  const { service, watermarks, pkh } = await signerFor('secp256k1');
  const attestation = vector('attestation');
  standIn.inject('sign', { kind: 'drop' });
  standIn.inject('sign', { kind: 'throttle', retryAfterSeconds: 0 });
  const result = await service.sign(pkh, attestation.bytes);
  expect(result.outcome).toBe('signed');
  expect(standIn.authorized('sign').map((r) => r.status)).toEqual(['dropped', 429, 200]);
  const [entry] = await watermarks.list();
  expect(entry?.watermark).toMatchObject({ level: Number(attestation.level), round: Number(attestation.round), signature: result.signature });
});

/** The 64 raw bytes of a spsig1/p2sig signature, read with Taquito. */
function decodeSignatureBytes(signature: string): Uint8Array {
  return b58DecodeAndCheckPrefix(signature, [PrefixV2.Secp256k1Signature, PrefixV2.P256Signature], true);
}
