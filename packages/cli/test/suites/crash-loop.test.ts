import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, describe, expect, test } from 'vitest';
import { compareMarks } from '@tezsigner/core';
import type { WatermarkEntry, WatermarkStore } from '@tezsigner/core';
import { TableWatermarkStore } from '@tezsigner/azure-adapter';
import { FileWatermarkStore } from '@tezsigner/local-adapter';
import { PostgresWatermarkStore } from '@tezsigner/postgres-adapter';
import { keyVectors } from '../../../../test-support/vectors.js';
import { startAzurite } from '../../../azure-adapter/test/support/azurite.js';
import { startPostgres } from '../../../postgres-adapter/test/support/postgres-cluster.js';
import { attestation, tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { homeWithKeys } from '../support/run-cli.js';
import { startServe, type ServeChild } from '../support/serve-child.js';

/**
 * The crash loop: two real `tezsigner serve` processes on one store (one home, one Azurite table,
 * one PostgreSQL database), a stream of blocks,
 * preattestations and attestations with two conflicting payloads per (level, round), one to
 * each, and SIGKILLs at random moments, from outside and from inside the commit (a preload
 * that kills its own process around the file-system calls of a commit, or on PostgreSQL around
 * the sending of the commit's statement). Each killed signer is
 * restarted at once. Over the whole run: no two payloads and no two signatures answered for one
 * (kind, level, round), every signature verifies, and after every restart the store parses and
 * no mark is lower than before nor below a signature that was out.
 * TEZSIGNER_LONG=1: 500 kills per store instead of 20. The two stores' loops run side by side,
 * and `serve` starts from a bundle of the sources (node alone, no tsx), so that a restart costs
 * well under a second of CPU rather than several.
 */
const LONG = process.env['TEZSIGNER_LONG'] === '1';
const KILLS = LONG ? 500 : 20;
const KEY = keyVectors().find((k) => k.curve === 'ed25519');
if (KEY === undefined) throw new Error('no ed25519 key vector');
const PKH = KEY.public_key_hash;
const CHAIN = 'NetXdQprcVkpaWU';
const PASSPHRASE = 'crash loop passphrase';
const PRELOAD = resolve(import.meta.dirname, '../support/crash-preload.mjs');
const POSTGRES_PRELOAD = resolve(import.meta.dirname, '../support/crash-preload-postgres.mjs');
const KINDS = ['block', 'preattestation', 'attestation'] as const;
type Kind = (typeof KINDS)[number];

interface Answer {
  readonly kind: Kind;
  readonly level: number;
  readonly round: number;
  readonly bytes: string;
  readonly signature: string;
}

const bytesOf = (kind: Kind, level: number, round: number, payload: number) =>
  kind === 'block' ? tenderbakeBlock(level, round, payload) : attestation(kind, level, round, { payload });

/** One signer slot: a serve process, restarted whenever it dies, killed now and then from outside. */
class Slot {
  current: ServeChild | undefined;
  restarting: Promise<void> | undefined;
  constructor(readonly start: () => Promise<ServeChild>) {}
}

async function crashLoop(start: () => Promise<ServeChild>, readMarks: () => Promise<readonly WatermarkEntry[]>) {
  const answers: Answer[] = [];
  const highest = new Map<string, { level: number; round: number }>();
  const lowered: string[] = [];
  let kills = 0;
  let restarts = 0;
  let failedRequests = 0;
  let stopping = false;
  let level = 1;

  /** After a restart: the store parses, and no mark is lower than what it held before, nor below a signature out. */
  const checkMarks = async () => {
    // the answers out before the store is read: each must be at or below what it holds
    const out = answers.slice();
    for (const { key, watermark } of await readMarks()) {
      const before = highest.get(key.kind);
      if (before !== undefined && compareMarks(watermark, before) < 0) lowered.push(`${key.kind} ${watermark.level}/${watermark.round} < ${before.level}/${before.round}`);
      else highest.set(key.kind, { level: watermark.level, round: watermark.round });
    }
    for (const answer of out) {
      const mark = highest.get(answer.kind);
      if (mark === undefined || compareMarks(mark, answer) < 0) lowered.push(`${answer.kind} signed ${answer.level}/${answer.round} above the store's mark`);
    }
  };

  const slots = [new Slot(start), new Slot(start)];
  const keepAlive = (slot: Slot): Promise<void> => {
    slot.restarting ??= (async () => {
      slot.current = undefined;
      while (!stopping) {
        try {
          const child = await slot.start();
          restarts++;
          slot.current = child;
          void child.exited.then(async () => {
            // a death by its own hand (inside a commit) or ours
            if (child.child.signalCode === 'SIGKILL') kills++;
            if (slot.current === child) slot.current = undefined;
            await slot.restarting;
            if (!stopping && slot.current === undefined) void keepAlive(slot);
          });
          break;
        } catch {
          // killed by its own preload while starting: start again
        }
      }
      await checkMarks();
      slot.restarting = undefined;
    })();
    return slot.restarting;
  };
  await Promise.all(slots.map(keepAlive));

  const killer = (async () => {
    while (kills < KILLS) {
      // each kill lands after progress (two signatures answered since the last one), so that a
      // busy machine slows the loop down rather than killing signers that never got to sign
      const answered = answers.length;
      await new Promise((done) => setTimeout(done, 100 + Math.random() * 500));
      while (answers.length < answered + 2 && kills < KILLS) await new Promise((done) => setTimeout(done, 20));
      const live = slots.filter((slot) => slot.current !== undefined);
      const victim = live[Math.floor(Math.random() * live.length)];
      victim?.current?.kill();
    }
  })();

  const client = (async () => {
    while (kills < KILLS) {
      level++;
      const round = Math.random() < 0.2 ? 1 : 0;
      await Promise.all(
        KINDS.flatMap((kind) =>
          slots.map(async (slot, i) => {
            const url = slot.current?.url;
            if (url === undefined) return;
            const bytes = bytesOf(kind, level, round, 1 + i);
            try {
              const response = await fetch(`${url}/keys/${PKH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bytes) });
              const body = (await response.json()) as { signature?: string };
              if (response.status === 200 && body.signature !== undefined) answers.push({ kind, level, round, bytes, signature: body.signature });
            } catch {
              failedRequests++;
            }
          }),
        ),
      );
      if (slots.every((slot) => slot.current === undefined)) await Promise.race(slots.map((slot) => slot.restarting));
    }
  })();
  await Promise.all([killer, client]);
  stopping = true;
  await Promise.all(slots.map((slot) => slot.restarting));
  await Promise.all(slots.map((slot) => slot.current?.stop()));
  await checkMarks();

  const byMark = new Map<string, Answer[]>();
  for (const answer of answers) {
    const id = `${answer.kind} ${answer.level} ${answer.round}`;
    byMark.set(id, [...(byMark.get(id) ?? []), answer]);
  }
  const conflicts: string[] = [];
  for (const [id, same] of byMark) {
    for (const a of same) for (const b of same) if (a.bytes !== b.bytes || a.signature !== b.signature) conflicts.push(id);
  }
  const unverified = answers.filter((a) => !verifySignature(a.bytes, KEY!.public_key, a.signature));
  return { answers: answers.length, kills, restarts, failedRequests, levels: level, conflicts: [...new Set(conflicts)], unverified, lowered };
}

describe(`the crash loop: two serve processes on one store, ${KILLS} SIGKILLs`, () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  async function homeWithKey(): Promise<Record<string, string>> {
    const home = await homeWithKeys([{ secret: KEY!.secret_key, name: 'baker' }], PASSPHRASE);
    cleanups.push(home.remove);
    return home.env;
  }

  /** Prints the run's figures, then checks it held. */
  const survived = (store: string, result: Awaited<ReturnType<typeof crashLoop>>) => {
    console.log(
      `crash loop (${store}): ${result.kills} kills survived, ${result.restarts} starts, ${result.levels} levels, ${result.answers} signatures answered, ${result.failedRequests} requests cut by a kill`,
    );
    expect(result.kills).toBeGreaterThanOrEqual(KILLS);
    expect(result.answers).toBeGreaterThan(KILLS);
    expect(result.conflicts).toEqual([]);
    expect(result.unverified).toEqual([]);
    expect(result.lowered).toEqual([]);
  };

  test.concurrent('on one home (file store), killed also inside the commit', async () => {
    const env = await homeWithKey();
    const home = env['TEZSIGNER_HOME']!;
    const readMarks = async () => {
      // a fresh store each time (nothing cached), and every mark file of the home must parse
      const store = await FileWatermarkStore.open({ home, check: false });
      const entries = await store.list();
      await store.close();
      for (const kind of KINDS) {
        const folder = join(home, 'watermarks', CHAIN, PKH, kind);
        for (const name of await readdir(folder).catch(() => [])) {
          if (!/^\d+-\d+\.json$/.test(name)) continue;
          // the other signer, still running, may prune a lower mark between the listing and the read
          const text = await readFile(join(folder, name), 'utf8').catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return undefined;
            throw err;
          });
          if (text !== undefined) JSON.parse(text);
        }
      }
      return entries;
    };
    const start = () => startServe(['--log-level', 'error'], { ...env, NODE_OPTIONS: `--import=${PRELOAD}`, TEZSIGNER_TEST_CRASH_ODDS: '0.004' });
    const result = await crashLoop(start, readMarks);
    survived('file', result);
  }, LONG ? 3_600_000 : 300_000);

  test.concurrent('on one Azure table (Azurite), killed at random moments', async () => {
      const azurite = await startAzurite();
      cleanups.push(() => azurite.stop());
      const tableArgs = ['--watermark-store', 'azure-table', '--azure-table-name', 'crashloop'];
      const env = { ...(await homeWithKey()), AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
      const readMarks = async () => {
        const store: WatermarkStore = new TableWatermarkStore({ connectionString: azurite.connectionString, tableName: 'crashloop' });
        try {
          return await store.list();
        } finally {
          await store.close?.();
        }
      };
      const result = await crashLoop(() => startServe(['--log-level', 'error', ...tableArgs], env), readMarks);
      survived('azure-table', result);
  }, LONG ? 3_600_000 : 300_000);

  test.concurrent('on one PostgreSQL database, killed also inside the commit', async () => {
    const cluster = await startPostgres();
    cleanups.push(() => cluster.remove());
    const url = await cluster.createDatabase('crashloop');
    const env = { ...(await homeWithKey()), TEZSIGNER_POSTGRES_URL: url };
    const readMarks = async () => {
      const store: WatermarkStore = new PostgresWatermarkStore({ url });
      try {
        return await store.list();
      } finally {
        await store.close?.();
      }
    };
    const start = () => startServe(['--log-level', 'error', '--watermark-store', 'postgres'], { ...env, NODE_OPTIONS: `--import=${POSTGRES_PRELOAD}`, TEZSIGNER_TEST_CRASH_ODDS: '0.01' });
    const result = await crashLoop(start, readMarks);
    survived('postgres', result);
  }, LONG ? 3_600_000 : 300_000);
});
