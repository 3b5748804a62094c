import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWatermarkStore, LocalKeyVault } from '@tezsigner/local-adapter';
import { attestation } from '../../http-server/test/support/consensus-bytes.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { startJsonLineChild, stopChild } from './support/json-line-child.js';
import type { JsonLineChild } from './support/json-line-child.js';

const SIGNER = resolve(import.meta.dirname, 'support/signer-process.ts');
const ED = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';
/** Longer than any timeout the signer ever had: the old file lock was taken over after 10 s. */
const FREEZE_MS = 11_000;

type Message = { ready?: true; id?: number; paused?: true; outcome?: string; signature?: string; error?: string; level?: number; refused?: true };

type SignerProcess = JsonLineChild<Message>;

const children: SignerProcess[] = [];
let home: string | undefined;
afterEach(async () => {
  for (const { child } of children.splice(0)) stopChild(child);
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

async function newHome(): Promise<string> {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-freeze-'));
  await (await LocalKeyVault.open({ home })).importKey(ED.secret_key, { plain: true });
  return home;
}

async function startSigner(path: string): Promise<SignerProcess> {
  const signer = await startJsonLineChild<Message>(SIGNER, [path, ED.public_key_hash]);
  children.push(signer);
  return signer;
}

const resultOf = (signer: SignerProcess, id: number) => signer.next((m) => m.id === id && m.outcome !== undefined);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('a signer frozen at the worst moment (after its check, before its commit)', () => {
  it(
    'never commits over what another process signed meanwhile: not other bytes at its mark, not a lower round',
    { timeout: 120_000 },
    async () => {
      const path = await newHome();
      const [frozen, live] = await Promise.all([startSigner(path), startSigner(path)]);
      const level = 5_000_000;
      const x = attestation('attestation', level, 0, { payload: 0x01 });
      const y = attestation('attestation', level, 0, { payload: 0x02 });
      const preRound0 = attestation('preattestation', level, 0, { payload: 0x03 });
      const preRound2 = attestation('preattestation', level, 2, { payload: 0x04 });
      const preRound2Other = attestation('preattestation', level, 2, { payload: 0x05 });

      // the frozen one has checked both marks (nothing stored) and signed, and stops before committing
      frozen.send({ id: 1, hex: x, pause: true });
      frozen.send({ id: 2, hex: preRound0, pause: true });
      await Promise.all([frozen.next((m) => m.id === 1 && m.paused === true), frozen.next((m) => m.id === 2 && m.paused === true)]);
      frozen.child.kill('SIGSTOP');
      await sleep(FREEZE_MS);

      // meanwhile the live one signs other bytes at the same mark, and a higher round
      live.send({ id: 1, hex: y });
      live.send({ id: 2, hex: preRound2 });
      expect(await resultOf(live, 1)).toMatchObject({ outcome: 'signed' });
      expect(await resultOf(live, 2)).toMatchObject({ outcome: 'signed' });

      frozen.child.kill('SIGCONT');
      frozen.send({ resume: 1 });
      frozen.send({ resume: 2 });
      const [late1, late2] = await Promise.all([resultOf(frozen, 1), resultOf(frozen, 2)]);
      expect(late1).toMatchObject({ outcome: 'refused' });
      expect(late1.signature).toBeUndefined();
      expect(late2).toMatchObject({ outcome: 'refused' });
      expect(late2.signature).toBeUndefined();

      // the marks stand where the live one put them: round 2 is not lowered to round 0
      live.send({ id: 3, hex: preRound2Other });
      expect(await resultOf(live, 3)).toMatchObject({ outcome: 'refused' });
      const store = await FileWatermarkStore.open({ home: path });
      const liveY = (await resultOf(live, 1)).signature;
      expect(await store.read({ chainId: CHAIN, pkh: ED.public_key_hash, kind: 'attestation' })).toMatchObject({ level, round: 0, signature: liveY });
      expect(await store.read({ chainId: CHAIN, pkh: ED.public_key_hash, kind: 'preattestation' })).toMatchObject({ level, round: 2 });
    },
  );
});

describe('a signer killed at random moments while it signs', () => {
  it('never leaves a mark below a signature it returned (20 SIGKILLs)', { timeout: 240_000 }, async () => {
    const path = await newHome();
    const template = attestation('attestation', 1, 0);
    let refusedAfterRestart = 0;
    const signatures = new Map<number, string>();
    let highestReturned = 0;
    let from = 1;
    for (let kill = 0; kill < 20; kill++) {
      const signer = await startSigner(path);
      signer.send({ stream: template, from });
      // let it sign for a random while, then kill it wherever it is: mid-write, mid-fsync, mid-answer.
      // The while starts at its first new level (not a repeat of the stored one), however slowly a
      // busy machine runs it.
      await signer.next((m) => m.signature !== undefined && (m.level as number) > highestReturned);
      await sleep(Math.random() * 100);
      signer.child.kill('SIGKILL');
      await new Promise((done) => signer.child.once('exit', done));
      const returned = signer.messages.filter((m) => m.signature !== undefined);
      for (const m of returned) {
        // a level answered again (the same bytes) gets the very same signature; anything new is higher
        const before = signatures.get(m.level as number);
        if (before !== undefined) expect(m.signature).toBe(before);
        else expect(m.level as number).toBeGreaterThan(highestReturned);
        signatures.set(m.level as number, m.signature as string);
        expect(verifySignature(attestation('attestation', m.level as number, 0), ED.public_key, m.signature as string)).toBe(true);
      }
      // what it restarted below the stored mark was refused, never signed again
      for (const m of signer.messages.filter((m) => m.refused === true)) expect(m.level as number).toBeLessThan(highestReturned + 1);
      highestReturned = Math.max(highestReturned, ...returned.map((m) => m.level as number));

      const stored = await (await FileWatermarkStore.open({ home: path })).read({ chainId: CHAIN, pkh: ED.public_key_hash, kind: 'attestation' });
      expect(stored?.level ?? 0).toBeGreaterThanOrEqual(highestReturned);
      // the next run starts at or below the stored mark: the lower levels must be refused, not signed
      from = Math.max(1, (stored?.level ?? 0) - 2);
      refusedAfterRestart += signer.messages.filter((m) => m.refused === true).length;
    }
    expect(signatures.size).toBeGreaterThanOrEqual(20);
    expect(refusedAfterRestart).toBeGreaterThan(0);
  });
});
