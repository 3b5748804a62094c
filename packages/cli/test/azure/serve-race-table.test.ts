import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyVectors } from '../../../../test-support/vectors.js';
import { startAzurite } from '../../../azure-adapter/test/support/azurite.js';
import type { Azurite } from '../../../azure-adapter/test/support/azurite.js';
import { attestation, tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { homeWithKeys } from '../support/run-cli.js';
import { startServe, type ServeChild } from '../support/serve-child.js';

/**
 * Two `tezsigner serve` processes behind one (imaginary) address, sharing one watermark
 * store, hammered with 500 concurrent requests, many of them for the same (level, round)
 * with different payloads. Whatever the interleaving: at most one payload is ever signed per
 * (kind, level, round), and nothing is signed below a mark whose signature was already out.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519');
if (KEY === undefined) throw new Error('no ed25519 key vector');
const PASSPHRASE = 'race test passphrase';
const REQUESTS = 500;

type Signer = ServeChild;

const serve = (args: readonly string[], env: Record<string, string>): Promise<Signer> => startServe(['--log-level', 'error', ...args], env);

/** Both servers, or none: if one fails to start, the other is stopped before the error surfaces. */
async function servePair(starts: ReadonlyArray<() => Promise<Signer>>): Promise<Signer[]> {
  const settled = await Promise.allSettled(starts.map((start) => start()));
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}

interface Outcome {
  readonly kind: 'block' | 'attestation';
  readonly level: number;
  readonly round: number;
  readonly payload: number;
  readonly bytes: string;
  readonly server: number;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly status: number;
  readonly signature?: string;
}

const IN_FLIGHT = 100;

/**
 * 500 requests over both servers, 100 in flight at any time (the first 100 at once). Levels
 * rise as requests go out (a new level every 10 requests) with stragglers a level or two
 * behind, two rounds and four payloads per level: many requests for the same (level, round)
 * with other bytes, and, since later requests leave after earlier ones came back, many
 * chances to sign below a mark already signed.
 */
async function hammer(urls: readonly string[]): Promise<Outcome[]> {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const plans = Array.from({ length: REQUESTS }, (_, i) => {
    const kind = random() < 0.5 ? ('block' as const) : ('attestation' as const);
    const level = 1000 + Math.floor(i / 10) + Math.floor(random() * 4) - 2;
    const round = Math.floor(random() * 2);
    const payload = 1 + Math.floor(random() * 4);
    const bytes = kind === 'block' ? tenderbakeBlock(level, round, payload) : attestation('attestation', level, round, { payload });
    return { kind, level, round, payload, bytes, server: i % urls.length };
  });
  const started = performance.now();
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const sentAt = performance.now() - started;
      const response = await fetch(`${urls[plan.server]}/keys/${KEY!.public_key_hash}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(plan.bytes),
      });
      const body = (await response.json()) as { signature?: string };
      const receivedAt = performance.now() - started;
      outcomes.push({ ...plan, sentAt, receivedAt, status: response.status, ...(response.status === 200 ? { signature: body.signature } : {}) });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return outcomes;
}

const order = (a: Outcome, b: Outcome) => (a.level !== b.level ? a.level - b.level : a.round - b.round);

function checkNeverDoubleSigned(outcomes: readonly Outcome[]): void {
  const signed = outcomes.filter((o) => o.status === 200);
  // Refusals are 409; a request queued past the store's deadline on a loaded machine fails closed with 503.
  expect(outcomes.filter((o) => ![200, 409, 503].includes(o.status))).toEqual([]);
  expect(outcomes.filter((o) => o.status === 503).length).toBeLessThan(REQUESTS / 5);
  // Both processes took part: each decided many requests and signed some (the split depends on who is faster).
  for (const server of [0, 1]) {
    expect(outcomes.filter((o) => o.server === server && o.status !== 503).length).toBeGreaterThan(REQUESTS / 4);
    expect(signed.filter((o) => o.server === server).length).toBeGreaterThan(0);
  }
  for (const o of signed) expect(verifySignature(o.bytes, KEY!.public_key, o.signature ?? '')).toBe(true);

  const payloads = new Map<string, Set<number>>();
  for (const o of signed) {
    const mark = `${o.kind} ${o.level} ${o.round}`;
    payloads.set(mark, (payloads.get(mark) ?? new Set()).add(o.payload));
  }
  const doubles = [...payloads].filter(([, set]) => set.size > 1).map(([mark]) => mark);
  expect(doubles).toEqual([]);
  // Same (level, round) with different payloads was asked for many times over: the refusals were real.
  expect(outcomes.filter((o) => o.status === 409).length).toBeGreaterThan(50);

  const lowered: string[] = [];
  let pairs = 0;
  for (const x of signed) {
    for (const y of signed) {
      if (x.kind !== y.kind || x.receivedAt >= y.sentAt) continue;
      pairs++;
      const cmp = order(y, x);
      if (cmp < 0 || (cmp === 0 && x.payload !== y.payload)) lowered.push(`${x.kind} ${x.level}/${x.round} then ${y.level}/${y.round}`);
    }
  }
  expect(lowered).toEqual([]);
  // The check above had something to check: signatures that were out before others were asked for.
  expect(pairs).toBeGreaterThan(100);
}

describe('two `tezsigner serve` processes racing on one watermark store', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
    cleanups.push(() => azurite.stop());
  });

  async function homeWithKey(): Promise<Record<string, string>> {
    const home = await homeWithKeys([{ secret: KEY!.secret_key, name: 'baker' }], PASSPHRASE);
    cleanups.push(home.remove);
    return home.env;
  }

  test('sharing one Azure Table (two machines, each with its own home)', async () => {
    const tableArgs = ['--watermark-store', 'azure-table', '--azure-table-name', 'racetable'];
    const [envA, envB] = [await homeWithKey(), await homeWithKey()];
    const table = { AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
    const signers = await servePair([() => serve(tableArgs, { ...envA!, ...table }), () => serve(tableArgs, { ...envB!, ...table })]);
    try {
      checkNeverDoubleSigned(await hammer(signers.map((s) => s.url)));
    } finally {
      await Promise.all(signers.map((s) => s.stop()));
    }
  }, 120_000);

  test('sharing one file store (two processes, one home)', async () => {
    const env = await homeWithKey();
    const signers = await servePair([() => serve([], env), () => serve([], env)]);
    try {
      checkNeverDoubleSigned(await hammer(signers.map((s) => s.url)));
    } finally {
      await Promise.all(signers.map((s) => s.stop()));
    }
  }, 120_000);
});
