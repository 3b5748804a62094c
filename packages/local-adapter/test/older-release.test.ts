import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { blake2b256, bytesToHex, hexToBytes } from '@tezsigner/core';
import { LocalKeyVault } from '@tezsigner/local-adapter';
import { attestation } from '../../http-server/test/support/consensus-bytes.js';
import { keyVectors } from '../../../test-support/vectors.js';
import { startJsonLineChild, stopChild } from './support/json-line-child.js';
import type { JsonLineChild } from './support/json-line-child.js';
import type { Format1Point } from './support/format1-operations.js';

/**
 * A tezsigner of watermark format 1 (one `<kind>.json` per watermark, rewritten under a lock
 * taken over once stale) beside this release on one home, each frozen (SIGSTOP) past that stale
 * time at the points that matter, the other asked to sign meanwhile: whatever the interleaving,
 * one payload at most is released per position. Format 1 is a helper process doing its file
 * operations one for one (support/format1-operations.ts, from commit f0c13e0); this release is a
 * signer process of the sources, frozen at one of its file operations (support/freeze-at.mjs).
 * The lock's stale time is 2 s here instead of 10 (the same logic, a fifth of the wait);
 * TEZSIGNER_LONG=1 runs the real older releases, built from this repository's history, at 10 s
 * (cli/test/suites/older-releases.test.ts).
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';
const LOCK_MS = 2_000;
const SIGNER = resolve(import.meta.dirname, 'support/signer-process.ts');
const FORMAT1 = resolve(import.meta.dirname, 'support/format1-process.ts');
const FREEZE_HOOK = resolve(import.meta.dirname, 'support/freeze-at.mjs');

type Message = { ready?: true; id?: number; frozen?: string; outcome?: string; signature?: string; error?: string };

/** A home with the key, and what the test starts on it, all stopped and removed when the test ends. */
async function newHome(onTestFinished: (done: () => Promise<void>) => void): Promise<{ path: string; children: JsonLineChild<Message>[] }> {
  const path = await mkdtemp(join(tmpdir(), 'tezsigner-older-'));
  const children: JsonLineChild<Message>[] = [];
  onTestFinished(async () => {
    for (const { child } of children) stopChild(child);
    await rm(path, { recursive: true, force: true });
  });
  await (await LocalKeyVault.open({ home: path })).importKey(KEY.secret_key, { plain: true });
  // format 1 made the key's folder before its first lock
  await mkdir(join(path, 'watermarks', CHAIN, KEY.public_key_hash), { recursive: true });
  return { path, children };
}

const legacyFile = (path: string) => join(path, 'watermarks', CHAIN, KEY.public_key_hash, 'attestation.json');
/** An attestation at `level`, round 0, whose payload says who asked for it (format 1: 0x01, this release: 0x02). */
const bytesAt = (level: number, payload: number) => attestation('attestation', level, 0, { payload });
const hashOf = (hex: string) => bytesToHex(blake2b256(hexToBytes(hex)));

/** Every payload released, by position: at most one each (and a signature that verifies). */
class Released {
  readonly #byPosition = new Map<string, Set<string>>();
  add(level: number, hex: string): void {
    const position = `${level}/0`;
    const payloads = this.#byPosition.get(position) ?? new Set();
    payloads.add(hex);
    this.#byPosition.set(position, payloads);
  }
  expectOnePayloadPerPosition(): void {
    for (const [position, payloads] of this.#byPosition) expect(payloads.size, `payloads released at ${position}`).toBe(1);
  }
}

/** Format 1, committing marks of `<kind>.json` one at a time. */
async function startFormat1({ path, children }: { path: string; children: JsonLineChild<Message>[] }) {
  const child = await startJsonLineChild<Message>(FORMAT1, [legacyFile(path), String(LOCK_MS), String(3 * LOCK_MS)]);
  children.push(child);
  let ids = 0;
  return {
    ...child,
    /** asks format 1 to commit `hex`'s mark (at `freezeAt`, it stops); its answer, once it gives one */
    commit(hex: string, level: number, freezeAt?: Format1Point) {
      const id = ++ids;
      child.send({ id, level, hash: hashOf(hex), freezeAt });
      return { id, answer: child.next((m) => m.id === id && m.outcome !== undefined) };
    },
  };
}

/** This release, frozen at `freezeAt` (see freeze-at.mjs) if given. */
async function startThisRelease({ path, children }: { path: string; children: JsonLineChild<Message>[] }, freezeAt = '') {
  const child = await startJsonLineChild<Message>(SIGNER, [path, KEY.public_key_hash], {
    env: { TEZSIGNER_TEST_LEGACY_LOCK_MS: String(LOCK_MS), TEZSIGNER_TEST_FREEZE_AT: freezeAt },
    nodeArgs: ['--import', FREEZE_HOOK],
  });
  children.push(child);
  let ids = 0;
  return {
    ...child,
    sign(hex: string) {
      const id = ++ids;
      child.send({ id, hex });
      return child.next((m) => m.id === id && m.outcome !== undefined);
    },
  };
}

/** Records what format 1 released: a mark it committed is a payload it signs. */
async function format1Released(released: Released, answer: Promise<Message>, hex: string, level: number): Promise<Message> {
  const message = await answer;
  if (message.outcome === 'advanced') released.add(level, hex);
  return message;
}

/** Records what this release released, each signature verified. */
async function thisReleaseReleased(released: Released, answer: Promise<Message>, hex: string, level: number): Promise<Message> {
  const message = await answer;
  if (message.signature !== undefined) {
    expect(verifySignature(hex, KEY.public_key, message.signature)).toBe(true);
    released.add(level, hex);
  }
  return message;
}

describe('a format-1 tezsigner beside this release on one home', () => {
  // each case on a home of its own, all at once: they mostly wait out a freeze
  it.concurrent.for<Format1Point>(['locked', 'read', 'reread', 'written', 'renamed'])(
    'format 1 frozen past its stale time at "%s" in a commit: this release never takes its lock over, and then starts above its mark',
    { timeout: 60_000 },
    async (point, { onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const { path } = home;
      const released = new Released();
      const [old, fresh] = await Promise.all([startFormat1(home), startThisRelease(home)]);
      expect(await format1Released(released, old.commit(bytesAt(10, 1), 10).answer, bytesAt(10, 1), 10)).toMatchObject({ outcome: 'advanced' });

      const frozen = old.commit(bytesAt(11, 1), 11, point);
      await old.next((m) => m.id === frozen.id && m.frozen === point);
      // asked meanwhile for the same level (other bytes) and the next, it signs nothing: its
      // commit waits while the lock is fresh, then says whose it is (and at "renamed" format 1's
      // mark is already in the file it reads, so 11 is refused before that)
      const during = await Promise.all([11, 12].map((level) => thisReleaseReleased(released, fresh.sign(bytesAt(level, 2)), bytesAt(level, 2), level)));
      expect(during.map((answer) => answer.outcome)).toEqual([point === 'renamed' ? 'refused' : 'error', 'error']);
      expect(during[1]?.error).toContain(`${legacyFile(path)}.lock of an older tezsigner has not been refreshed`);

      // format 1 wakes past its stale time and finishes what it started: nothing took its lock
      old.child.kill('SIGCONT');
      expect(await format1Released(released, frozen.answer, bytesAt(11, 1), 11)).toMatchObject({ outcome: 'advanced' });
      // this release then moves format 1's mark in, and signs only above it
      expect(await thisReleaseReleased(released, fresh.sign(bytesAt(11, 2)), bytesAt(11, 2), 11)).toMatchObject({ outcome: 'refused' });
      expect(await thisReleaseReleased(released, fresh.sign(bytesAt(12, 2)), bytesAt(12, 2), 12)).toMatchObject({ outcome: 'signed' });
      // and format 1 signs nothing more with this key
      expect(await format1Released(released, old.commit(bytesAt(13, 1), 13).answer, bytesAt(13, 1), 13)).toMatchObject({ outcome: 'failed' });
      released.expectOnePayloadPerPosition();
    },
  );

  it.concurrent.for<[string, string]>([
    ['having just locked format 1 out', 'after writeFile attestation.json.lock'],
    ['with attestation.json moved aside and no marker in its place yet', 'after rename .attestation.json.retired.'],
    ['with its marker placed, the file moved aside not yet settled', 'after rename .attestation.json.marker.'],
  ])('this release frozen past the stale time %s: format 1 signs nothing meanwhile nor after', { timeout: 60_000 }, async ([, freezeAt], { onTestFinished }) => {
    const home = await newHome(onTestFinished);
    const released = new Released();
    const [old, fresh] = await Promise.all([startFormat1(home), startThisRelease(home, freezeAt)]);
    expect(await format1Released(released, old.commit(bytesAt(10, 1), 10).answer, bytesAt(10, 1), 10)).toMatchObject({ outcome: 'advanced' });

    // its first commit of this watermark retires format 1's file; it freezes there
    const first = thisReleaseReleased(released, fresh.sign(bytesAt(11, 2)), bytesAt(11, 2), 11);
    await fresh.next((m) => m.frozen === freezeAt);
    const frozenAt = performance.now();
    // format 1 asked for the same level, then the next: its lock is a file now, which it can
    // neither take while it looks fresh (it waits, then gives up) nor remove once it looks
    // stale (rmdir fails on a file)
    for (const [level, why] of [
      [11, /cannot lock .*(ELOCKED|ENOTDIR)/],
      [12, /cannot lock .*ENOTDIR/],
    ] as const) {
      const answer = await format1Released(released, old.commit(bytesAt(level, 1), level).answer, bytesAt(level, 1), level);
      expect(answer).toMatchObject({ outcome: 'failed' });
      expect(answer.error).toMatch(why);
    }
    // frozen past the stale time, whatever the machine's pace
    await new Promise((done) => setTimeout(done, Math.max(0, LOCK_MS + 500 - (performance.now() - frozenAt))));

    fresh.child.kill('SIGCONT');
    expect(await first).toMatchObject({ outcome: 'signed' });
    expect(await format1Released(released, old.commit(bytesAt(13, 1), 13).answer, bytesAt(13, 1), 13)).toMatchObject({ outcome: 'failed' });
    expect(await thisReleaseReleased(released, fresh.sign(bytesAt(10, 2)), bytesAt(10, 2), 10)).toMatchObject({ outcome: 'refused' });
    expect(await thisReleaseReleased(released, fresh.sign(bytesAt(12, 2)), bytesAt(12, 2), 12)).toMatchObject({ outcome: 'signed' });
    released.expectOnePayloadPerPosition();
  });
});
