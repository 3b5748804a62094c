import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { verifySignature } from '@taquito/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWatermarkStore, LocalKeyVault } from '@tezsigner/local-adapter';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';
import { nodeEntry } from '../../../test-support/bundled-entry.js';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const HAMMER = resolve(import.meta.dirname, 'support/hammer-signer.ts');
const LEVELS = 20;
const ATTEMPTS = 8;

interface Attempt {
  level: number;
  bytes: string;
  outcome: 'signed' | 'repeated' | 'lost_race' | 'refused' | 'error';
  signature?: string;
  error?: string;
}

const children: ChildProcess[] = [];
let home: string | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

/** Starts one signer process; resolves once it is ready, with a promise of everything it reports. */
async function startSigner(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; done: Promise<Attempt[]> }> {
  const node = await nodeEntry(HAMMER);
  const child = spawn(process.execPath, [...node.args, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...node.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const attempts: Attempt[] = [];
  return new Promise((ready, fail) => {
    const done = new Promise<Attempt[]>((finish, failDone) => {
      child.on('exit', (code) => (code === 0 ? finish(attempts) : failDone(new Error(`signer exited ${code}: ${stderr}`))));
    });
    done.catch(fail);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as Attempt | { ready: true };
      if ('ready' in message) ready({ child, done });
      else attempts.push(message);
    });
  });
}

/**
 * Runs two hammer processes on one home over `levels` levels (the second with `env`) and
 * checks that each level got exactly one payload and one signature, whoever answered.
 */
async function race(levels: number, attemptsPerLevel: number, env: Record<string, string> = {}): Promise<Attempt[]> {
  home = await mkdtemp(join(tmpdir(), 'tezsigner-two-'));
  const key = keyVectors().find((k) => k.curve === 'ed25519')!;
  await (await LocalKeyVault.open({ home })).importKey(key.secret_key, { plain: true });
  const template = loadVectors<{ requests: Array<{ name: string; bytes_hex: string }> }>('requests').requests.find(
    (r) => r.name === 'attestation',
  )!.bytes_hex;

  const signers = await Promise.all(
    ['170', '187'].map((tag, i) => startSigner([home!, key.public_key_hash, template, tag, String(levels), String(attemptsPerLevel)], i === 1 ? env : {})),
  );
  for (const { child } of signers) child.stdin!.end('go\n');
  const attempts = (await Promise.all(signers.map(({ done }) => done))).flat();

  expect(attempts).toHaveLength(2 * levels * attemptsPerLevel);
  expect(attempts.filter((a) => a.outcome === 'error')).toEqual([]);
  let signedLevels = 0;
  for (let level = 1; level <= levels; level++) {
    const answered = attempts.filter((a) => a.level === level && a.signature !== undefined);
    expect(new Set(answered.map((a) => a.bytes)).size, `distinct payloads signed at level ${level}`).toBeLessThanOrEqual(1);
    expect(new Set(answered.map((a) => a.signature)).size, `distinct signatures at level ${level}`).toBeLessThanOrEqual(1);
    expect(answered.filter((a) => a.outcome === 'signed').length).toBeLessThanOrEqual(1);
    if (answered.length > 0) signedLevels++;
    for (const a of answered) expect(verifySignature(a.bytes, key.public_key, a.signature!)).toBe(true);
  }
  // A commit overtaken while it writes may leave its level unsigned (fail safe), rarely.
  expect(signedLevels).toBeGreaterThanOrEqual(levels * 0.9);
  const [stored] = await (await FileWatermarkStore.open({ home })).list();
  expect(stored?.key).toEqual({ chainId: 'NetXdQprcVkpaWU', pkh: key.public_key_hash, kind: 'attestation' });
  expect(stored?.watermark.level).toBeGreaterThanOrEqual(levels - 1);
  return attempts;
}

describe('two signer processes sharing one home', () => {
  it('never sign two different payloads at one (chain, key, kind, level, round)', { timeout: 180_000 }, async () => {
    const attempts = await race(LEVELS, ATTEMPTS);
    // each level's loser was refused: the processes did meet at the same marks
    expect(attempts.filter((a) => a.outcome === 'refused').length).toBeGreaterThanOrEqual(LEVELS * ATTEMPTS);
  });

  it('hold with one clock 15 s ahead, over 300 levels', { timeout: 240_000 }, async () => {
    const attempts = await race(300, 2, { TEZSIGNER_TEST_CLOCK_OFFSET_MS: '15000' });
    expect(attempts.filter((a) => a.outcome === 'refused').length).toBeGreaterThanOrEqual(300);
  });
});
