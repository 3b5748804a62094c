import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { MemoryKeyProvider, SignerService, decodeSecretKey, hexToBytes } from '@tezsigner/core';
import type { KeyProvider, SignResult } from '@tezsigner/core';
import { TableWatermarkStore } from '../src/index.js';
import { outcomeOf } from '../../../test-support/errors.js';
import { startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';

/**
 * Two signer instances (core's SignerService, each with its own TableWatermarkStore) behind
 * one address, sharing one Azurite table: what a baker with two VMs runs.
 */
const vector = keyVectors().find((k) => k.curve === 'ed25519');
const attestation = loadVectors<{ requests: Array<{ name: string; bytes_hex: string; level: number; round: number }> }>('requests').requests.find(
  (r) => r.name === 'attestation',
);
if (vector === undefined || attestation === undefined) throw new Error('vectors lack an ed25519 key or an attestation');

/** The vector's tz1 attestation moved to (level, round) with a payload hash of `payload` bytes. */
function attestationAt(level: number, round: number, payload: number): Uint8Array {
  const bytes = hexToBytes(attestation!.bytes_hex);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setInt32(40, level);
  view.setInt32(44, round);
  bytes.fill(payload, 48, 80);
  return bytes;
}

/** A key provider that counts signatures, and can run something just before signing. */
function counting(inner: KeyProvider, beforeSign?: () => Promise<void>) {
  const counter = { signatures: 0 };
  const provider: KeyProvider = {
    name: inner.name,
    capabilities: inner.capabilities,
    listKeys: () => inner.listKeys(),
    getKey: (pkh) => inner.getKey(pkh),
    sign: async (pkh, input) => {
      await beforeSign?.();
      counter.signatures++;
      return inner.sign(pkh, input);
    },
  };
  return { provider, counter };
}

/** 'signed', or the code the request was refused with. */
const codeOf = (p: Promise<unknown>) => outcomeOf(p, () => 'signed');

const pkh = vector.public_key_hash;
const verifies = (bytes: Uint8Array, result: SignResult) => verifySignature(bytes, vector.public_key, result.signature);

let location: string;
let azurite: Azurite;
beforeAll(async () => {
  location = await mkdtemp(join(tmpdir(), 'azurite-signers-'));
  azurite = await startAzurite({ location });
});
afterAll(async () => {
  await azurite?.stop();
  if (location !== undefined) await rm(location, { recursive: true, force: true });
});

function signerPair(tableName: string, beforeSignA?: () => Promise<void>) {
  const keys = new MemoryKeyProvider([decodeSecretKey(vector!.secret_key)]);
  const a = counting(keys, beforeSignA);
  const b = counting(keys);
  const store = () => new TableWatermarkStore({ connectionString: azurite.connectionString, tableName, timeoutMs: 2000 });
  return {
    a: new SignerService({ keys: a.provider, watermarks: store() }),
    b: new SignerService({ keys: b.provider, watermarks: store() }),
    signedByA: a.counter,
    signedByB: b.counter,
  };
}

describe('two SignerService instances sharing one table', () => {
  it('sign once per mark: B repeats what A signed and refuses other bytes there or below', async () => {
    const { a, b, signedByB } = signerPair('twosigners');
    const first = attestationAt(6_000_000, 0, 0x01);
    const signed = await a.sign(pkh, first);
    expect(signed.outcome).toBe('signed');
    expect(verifies(first, signed)).toBe(true);

    const repeated = await b.sign(pkh, first);
    expect(repeated).toMatchObject({ outcome: 'repeated', signature: signed.signature });
    expect(signedByB.signatures).toBe(0);

    expect(await codeOf(b.sign(pkh, attestationAt(6_000_000, 0, 0x02)))).toBe('WATERMARK_REFUSED');
    expect(await codeOf(b.sign(pkh, attestationAt(5_999_999, 3, 0x03)))).toBe('WATERMARK_REFUSED');
    const next = attestationAt(6_000_000, 1, 0x04);
    expect(verifies(next, await b.sign(pkh, next))).toBe(true);
    expect(await codeOf(a.sign(pkh, attestationAt(6_000_000, 1, 0x05)))).toBe('WATERMARK_REFUSED');
  });

  it('fails closed while the table is down, no signature leaving, and carries on once it is back', async () => {
    const { a, b, signedByA, signedByB } = signerPair('outagesigners');
    const before = attestationAt(7_000_000, 0, 0x11);
    const signedBefore = await a.sign(pkh, before);

    await azurite.stop();
    const started = Date.now();
    expect(await codeOf(a.sign(pkh, attestationAt(7_000_001, 0, 0x12)))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(b.sign(pkh, attestationAt(7_000_001, 0, 0x13)))).toBe('STORE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(6000);
    // B has never read the row: it fails at its read, before asking the key. A decides from
    // the row it remembers, so its key signs, and that signature is dropped when the commit fails.
    expect(signedByB.signatures).toBe(0);
    expect(signedByA.signatures).toBe(2);

    azurite = await startAzurite({ location, port: azurite.port });
    expect(await b.sign(pkh, before)).toMatchObject({ outcome: 'repeated', signature: signedBefore.signature });
    const after = attestationAt(7_000_001, 0, 0x13);
    expect(verifies(after, await b.sign(pkh, after))).toBe(true);
    expect(await codeOf(a.sign(pkh, attestationAt(7_000_001, 0, 0x12)))).toBe('WATERMARK_REFUSED');
  });

  it('returns no signature it could not commit, and moves no mark with it: once the table is back, other bytes there are signed and the dropped ones refused', async () => {
    let stopDuringSign = true;
    const { a, b, signedByA } = signerPair('commitsigners', async () => {
      // The mark is read and found free; the table goes away before the signature can be committed.
      if (stopDuringSign) await azurite.stop();
    });
    const bytes = attestationAt(8_000_000, 2, 0x21);
    expect(await codeOf(a.sign(pkh, bytes))).toBe('STORE_UNAVAILABLE');
    expect(signedByA.signatures).toBe(1);
    stopDuringSign = false;

    azurite = await startAzurite({ location, port: azurite.port });
    // The signature A made never left, so another payload at that mark is safe to sign.
    const other = attestationAt(8_000_000, 2, 0x22);
    const signedOther = await b.sign(pkh, other);
    expect(signedOther.outcome).toBe('signed');
    expect(verifies(other, signedOther)).toBe(true);
    expect(await codeOf(a.sign(pkh, bytes))).toBe('WATERMARK_REFUSED');
    expect(await codeOf(b.sign(pkh, attestationAt(8_000_000, 1, 0x23)))).toBe('WATERMARK_REFUSED');
    expect(await a.sign(pkh, other)).toMatchObject({ outcome: 'repeated', signature: signedOther.signature });
  });
});
