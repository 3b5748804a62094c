import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { attestation, tenderbakeBlock } from './support/consensus-bytes.js';
import { BL, ED, SP, signOver, startTestSigner, tempHome } from './support/test-signer.js';

const L = 6_000_000;

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(() => home.remove());

const signatureOf = (answer: { body: unknown }): string => (answer.body as { signature: string }).signature;

describe.each([
  ['a tz1 block', ED, (level: number, payload?: number) => tenderbakeBlock(level, 0, payload)],
  ['a tz2 attestation', SP, (level: number, payload?: number) => attestation('attestation', level, 0, { payload })],
  ['a tz4 preattestation', BL, (level: number, payload?: number) => attestation('preattestation', level, 0, { tz4: true, payload })],
])('high watermark over HTTP for %s', (_what, key, request) => {
  test('refuses lower and different-at-the-same-level with 409, repeats the identical request, across a restart', async () => {
    const first = await startTestSigner({ home: home.path, keys: [key] });
    let signature: string;
    try {
      const signed = await signOver(first.url, key.public_key_hash, request(L));
      expect(signed.status).toBe(200);
      signature = signatureOf(signed);
      expect(verifySignature(request(L), key.public_key, signature)).toBe(true);

      expect(await signOver(first.url, key.public_key_hash, request(L - 1))).toMatchObject({ status: 409, body: { error: { code: 'WATERMARK_REFUSED' } } });
      expect(await signOver(first.url, key.public_key_hash, request(L, 0x77))).toMatchObject({ status: 409, body: { error: { code: 'WATERMARK_REFUSED' } } });
      const again = await signOver(first.url, key.public_key_hash, request(L));
      expect(again.status).toBe(200);
      expect(signatureOf(again)).toBe(signature);
    } finally {
      await first.close();
    }

    // a new server over a new store instance on the same home: nothing is forgotten
    const second = await startTestSigner({ home: home.path, keys: [key] });
    try {
      expect((await signOver(second.url, key.public_key_hash, request(L - 1))).status).toBe(409);
      expect((await signOver(second.url, key.public_key_hash, request(L, 0x77))).status).toBe(409);
      const repeated = await signOver(second.url, key.public_key_hash, request(L));
      expect(repeated.status).toBe(200);
      expect(signatureOf(repeated)).toBe(signature);
      const next = await signOver(second.url, key.public_key_hash, request(L + 1));
      expect(next.status).toBe(200);
      expect(verifySignature(request(L + 1), key.public_key, signatureOf(next))).toBe(true);
    } finally {
      await second.close();
    }
  });
});

test('a block and an attestation at the same level have separate watermarks', async () => {
  const signer = await startTestSigner({ home: home.path, keys: [ED] });
  try {
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(L, 1))).status).toBe(200);
    expect((await signOver(signer.url, ED.public_key_hash, attestation('preattestation', L, 1))).status).toBe(200);
    expect((await signOver(signer.url, ED.public_key_hash, attestation('attestation', L, 1))).status).toBe(200);
    // a higher round at the same level advances
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(L, 2))).status).toBe(200);
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(L, 1, 0x55))).status).toBe(409);
  } finally {
    await signer.close();
  }
});

test('with --no-check-high-watermark a lower block is signed (the operator asked for it)', async () => {
  const signer = await startTestSigner({ home: home.path, keys: [ED], policy: { checkHighWatermark: false } });
  try {
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(L, 0))).status).toBe(200);
    expect((await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(L - 1, 0))).status).toBe(200);
  } finally {
    await signer.close();
  }
});

test('200 concurrent requests for the same level and round with different payloads: exactly one is signed', async () => {
  const signer = await startTestSigner({ home: home.path, keys: [ED] });
  try {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => signOver(signer.url, ED.public_key_hash, attestation('attestation', L, 4, { payload: i }))),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(199);
    const winner = answers.findIndex((answer) => answer.status === 200);
    const winning = attestation('attestation', L, 4, { payload: winner });
    expect(verifySignature(winning, ED.public_key, signatureOf(answers[winner] ?? { body: {} }))).toBe(true);
    // and after a restart, only the winner is repeated
    await signer.close();
    const again = await startTestSigner({ home: home.path, keys: [ED] });
    try {
      expect((await signOver(again.url, ED.public_key_hash, winning)).status).toBe(200);
      expect((await signOver(again.url, ED.public_key_hash, attestation('attestation', L, 4, { payload: (winner + 1) % 200 }))).status).toBe(409);
    } finally {
      await again.close();
    }
  } finally {
    await signer.close();
  }
});
