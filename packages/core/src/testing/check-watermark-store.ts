import { randomBytes } from '@noble/hashes/utils.js';
import { isTezsignerError } from '../errors.js';
import { encodeAddress } from '../encoding/address.js';
import { b58cEncode } from '../encoding/base58.js';
import { bytesToHex } from '../encoding/hex.js';
import type { CommitResult, SignedMark, StoredWatermark, WatermarkKey, WatermarkMark, WatermarkStore } from '../ports/watermark-store.js';
import { SignerService, type SignResult } from '../signer-service.js';
import { checkWatermark, compareMarks, watermarkKeyId } from '../watermark/marks.js';
import { expectThat, underRule } from './contract-error.js';
import { buildBlockRequest } from './consensus-requests.js';
import { RandomNonceKeyProvider } from './random-nonce-provider.js';

/** Opens a store over the backing data every call of it shares (the same folder, table, database). */
export type OpenWatermarkStore = () => WatermarkStore | Promise<WatermarkStore>;

export interface WatermarkStoreCheckOptions {
  /** how many times two instances race for one position, per kind of race; 12 by default */
  readonly races?: number | undefined;
}

/** The rules checkWatermarkStore checks, in its order; a PortContractError's `rule` is one of them. */
export const WATERMARK_STORE_RULES = {
  unknown: 'a watermark never committed reads as nothing',
  commit: 'a commit above the stored mark is committed, and read back with its signature by every instance',
  repeat: 'the same bytes at the stored mark are not committed again: the answer holds the stored signature',
  conflict: 'other bytes at the stored mark are refused, and the stored mark stays',
  lower: 'a mark below the stored one is refused, and the stored mark stays',
  keys: 'each chain, key and kind has a watermark of its own',
  list: 'list gives every watermark with its mark and signature',
  race: 'two instances racing for one position let exactly one payload and one signature out',
  restart: 'a restart keeps every committed mark and signature',
  import: 'importEntries raises marks and never lowers one',
  prepared: 'a prepared commit is seen by nobody and counts for nothing until completed: abandoned it leaves no trace, completed it decides as a commit would then',
} as const;

const RULE_PORT = 'WatermarkStore';
const FIRST_LEVEL = 100;

const randomHash = (): string => bytesToHex(randomBytes(32));
const randomSignature = (): string => `sig-${bytesToHex(randomBytes(12))}`;
const shown = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const sameWatermark = (stored: StoredWatermark | undefined, expected: SignedMark): boolean =>
  stored !== undefined && stored.level === expected.level && stored.round === expected.round && stored.hash === expected.hash && stored.signature === expected.signature;

/**
 * Runs the rules of the WatermarkStore port against a store, with any test runner: resolves when
 * every rule holds, rejects with a PortContractError naming the first one broken. `open` is
 * called several times (two instances at once, then again after closing them all, as a restart)
 * and must give stores over the same backing data, a new instance each time it can (one that
 * gives the same instance each time must outlive its close()); every store it gives is closed
 * before the check ends. It writes only under a chain id and keys of its own, random each run, so a store in
 * use, or one shared by several runs, can be checked.
 *
 * Among the rules: two SignerServices, each over its own instance and signing with random ECDSA
 * nonces (as HSMs do), race for one position again and again, and must let one payload and one
 * signature out each time. A store whose commit reads and then writes, instead of deciding in one
 * atomic step, fails there even when it passes every single-process use.
 */
export async function checkWatermarkStore(open: OpenWatermarkStore, options: WatermarkStoreCheckOptions = {}): Promise<void> {
  const races = options.races ?? 12;
  const opened: WatermarkStore[] = [];
  let name = '(not opened)';
  const rule = <T>(which: keyof typeof WATERMARK_STORE_RULES, step: () => Promise<T>) => underRule(RULE_PORT, () => name, WATERMARK_STORE_RULES[which], step);
  const openOne = async (): Promise<WatermarkStore> => {
    const store = await open();
    opened.push(store);
    name = store.name;
    return store;
  };
  const closeAll = async () => {
    const closed = await Promise.allSettled([...new Set(opened.splice(0))].map((store) => store.close?.()));
    const failure = closed.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  };
  try {
    const chainId = b58cEncode(randomBytes(4), 'Net');
    const pkh = encodeAddress('ed25519', randomBytes(20));
    const key: WatermarkKey = { chainId, pkh, kind: 'block' };
    const store = await openOne();
    await rule('unknown', async () => {
      const read = await store.read(key);
      expectThat(read === undefined, () => `a key nothing was committed for read as ${shown(read)}`);
    });

    const top = await checkCommits(store, openOne, key, rule);
    await checkRefusals(store, key, top, rule);
    const others = await checkKeys(store, key, top, rule);
    const entries = [{ key, mark: top }, ...others];
    await rule('list', async () => {
      const listed = await store.list();
      for (const { key: wanted, mark } of entries) {
        const found = listed.find((entry) => watermarkKeyId(entry.key) === watermarkKeyId(wanted));
        expectThat(found !== undefined && sameWatermark(found.watermark, mark), () => `list gave ${shown(found)} for ${watermarkKeyId(wanted)}, committed ${shown(mark)}`);
      }
    });

    const raced = await checkRaces(openOne, { chainId, pkh, kind: 'preattestation' }, races, rule);
    const signed = await checkSignerRaces(openOne, chainId, races, rule);

    await rule('restart', closeAll);
    const restarted = await rule('restart', openOne);
    await rule('restart', async () => {
      for (const { key: wanted, mark } of [...entries, ...raced]) {
        const read = await restarted.read(wanted);
        expectThat(sameWatermark(read, mark), () => `after a restart ${watermarkKeyId(wanted)} read as ${shown(read)}, committed ${shown(mark)}`);
      }
      const below = await restarted.commit(key, { ...top, round: top.round - 1, hash: randomHash(), signature: randomSignature() });
      expectThat(below.committed === false, () => `after a restart a mark below the stored one was committed`);
      const again = await new SignerService({ keys: signed.provider.twin(), watermarks: restarted }).sign(signed.provider.key.pkh, signed.bytes);
      expectThat(again.signature === signed.signature, () => `after a restart the same block was answered ${again.signature}, not the signature given before (${signed.signature})`);
    });
    if (restarted.importEntries !== undefined) await checkImport(restarted, key, top, rule);
    if (restarted.prepareCommit !== undefined) await checkPrepared(restarted, openOne, pkh, rule);
  } catch (err) {
    // the broken rule is the news: a store that also fails to close does not hide it
    await closeAll().catch(() => undefined);
    throw err;
  }
  await closeAll();
}

type Rule = <T>(which: keyof typeof WATERMARK_STORE_RULES, step: () => Promise<T>) => Promise<T>;

function expectCommitted(result: CommitResult, mark: SignedMark): void {
  expectThat(result?.committed === true, () => `committing ${shown(mark)} above the stored mark answered ${shown(result)}`);
}

/** Commits upwards through round and level; returns the top mark, read back by this and a second instance. */
async function checkCommits(store: WatermarkStore, openOne: () => Promise<WatermarkStore>, key: WatermarkKey, rule: Rule): Promise<SignedMark> {
  return await rule('commit', async () => {
    let top: SignedMark | undefined;
    for (const [level, round] of [[FIRST_LEVEL, 0], [FIRST_LEVEL, 1], [FIRST_LEVEL + 1, 1]] as const) {
      top = { level, round, hash: randomHash(), signature: randomSignature() };
      expectCommitted(await store.commit(key, top), top);
      const read = await store.read(key);
      expectThat(sameWatermark(read, top), () => `after committing ${shown(top)} the store read ${shown(read)}`);
    }
    const committed = top as SignedMark;
    const other = await openOne();
    const read = await other.read(key);
    expectThat(sameWatermark(read, committed), () => `a second instance read ${shown(read)} after ${shown(committed)} was committed`);
    return committed;
  });
}

/** A refused commit: not committed, answering a stored mark at or above the one offered, and the stored mark unchanged. */
async function expectRefused(store: WatermarkStore, key: WatermarkKey, offered: SignedMark, top: SignedMark, what: string): Promise<StoredWatermark> {
  const result = await store.commit(key, offered);
  expectThat(result?.committed === false, () => `${what} ${shown(offered)} over ${shown(top)} answered ${shown(result)}`);
  expectThat(typeof result.stored === 'object' && result.stored !== null && compareMarks(result.stored, offered) >= 0, () => `${what} was refused with a stored mark below it: ${shown(result)}`);
  const read = await store.read(key);
  expectThat(sameWatermark(read, top), () => `after ${what} the store read ${shown(read)}, not ${shown(top)}`);
  return result.stored;
}

async function checkRefusals(store: WatermarkStore, key: WatermarkKey, top: SignedMark, rule: Rule): Promise<void> {
  await rule('repeat', async () => {
    const repeat = { ...top, signature: randomSignature() };
    const stored = await expectRefused(store, key, repeat, top, 'the same bytes again, with another signature,');
    const decision = checkWatermark(stored, repeat);
    expectThat(decision.outcome === 'repeat' && decision.signature === top.signature, () => `the stored watermark answered for a repeat is ${shown(stored)}, without the signature ${top.signature}`);
  });
  await rule('conflict', () => expectRefused(store, key, { ...top, hash: randomHash(), signature: randomSignature() }, top, 'other bytes at the stored mark'));
  await rule('lower', async () => {
    await expectRefused(store, key, { level: top.level, round: top.round - 1, hash: randomHash(), signature: randomSignature() }, top, 'a lower round');
    await expectRefused(store, key, { level: top.level - 1, round: top.round + 5, hash: randomHash(), signature: randomSignature() }, top, 'a lower level');
  });
}

/** Marks below `top` on keys that differ from `key` in one part each: every one is committed. */
async function checkKeys(store: WatermarkStore, key: WatermarkKey, top: SignedMark, rule: Rule): Promise<{ key: WatermarkKey; mark: SignedMark }[]> {
  return await rule('keys', async () => {
    const others: WatermarkKey[] = [
      { ...key, kind: 'attestation' },
      { ...key, pkh: encodeAddress('secp256k1', randomBytes(20)) },
      { ...key, chainId: b58cEncode(randomBytes(4), 'Net') },
    ];
    const entries = [];
    for (const other of others) {
      const mark = { level: top.level - 1, round: 0, hash: randomHash(), signature: randomSignature() };
      expectCommitted(await store.commit(other, mark), mark);
      entries.push({ key: other, mark });
    }
    const read = await store.read(key);
    expectThat(sameWatermark(read, top), () => `after commits on other keys ${watermarkKeyId(key)} read ${shown(read)}, not ${shown(top)}`);
    return entries;
  });
}

/** Lets each contender start a few microtasks after the previous one: races are decided in different places. */
async function staggered<T>(contenders: readonly (() => Promise<T>)[], round: number): Promise<PromiseSettledResult<T>[]> {
  const started: Promise<T>[] = [];
  for (const [index, contender] of contenders.entries()) {
    for (let tick = 0; tick < (round + index) % 4; tick++) await Promise.resolve();
    started.push(contender());
  }
  return await Promise.allSettled(started);
}

/** Stores racing for one position with different bytes, then with the same bytes and different signatures. */
async function checkRaces(openOne: () => Promise<WatermarkStore>, key: WatermarkKey, races: number, rule: Rule): Promise<{ key: WatermarkKey; mark: SignedMark }[]> {
  return await rule('race', async () => {
    const instances = [await openOne(), await openOne()];
    let level = FIRST_LEVEL;
    for (let race = 0; race < races; race++) {
      for (const sameBytes of [false, true]) {
        level += 1;
        const hash = randomHash();
        const marks = [0, 1, 2, 3].map((): SignedMark => ({ level, round: 0, hash: sameBytes ? hash : randomHash(), signature: randomSignature() }));
        const results = await staggered(marks.map((mark, index) => () => (instances[index % 2] as WatermarkStore).commit(key, mark)), race);
        const failed = results.find((result) => result.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        const answers = results.map((result) => (result as PromiseFulfilledResult<CommitResult>).value);
        const winners = marks.filter((_mark, index) => answers[index]?.committed === true);
        expectThat(winners.length === 1, () => `${winners.length} of 4 concurrent commits at level ${level} (${sameBytes ? 'the same bytes' : 'different bytes'}, two instances) were committed: ${shown(answers)}`);
        const winner = winners[0] as SignedMark;
        for (const answer of answers) {
          expectThat(answer?.committed === true || sameWatermark(answer?.stored, winner), () => `a commit that lost the race at level ${level} was answered ${shown(answer)}, not the winner ${shown(winner)}`);
        }
      }
    }
    const read = await (await openOne()).read(key);
    expectThat(read?.level === level, () => `after the races a new instance read ${shown(read)} for level ${level}`);
    return [{ key, mark: read as SignedMark }];
  });
}

/**
 * Two SignerServices, each over an instance of its own, racing as two signers sharing a store
 * do: for the same block, both must answer the one signature stored; for two blocks at one
 * position, one must be signed and the other refused.
 */
async function checkSignerRaces(openOne: () => Promise<WatermarkStore>, chainId: string, races: number, rule: Rule): Promise<{ provider: RandomNonceKeyProvider; bytes: Uint8Array; signature: string }> {
  return await rule('race', async () => {
    const provider = new RandomNonceKeyProvider();
    const signers = [new SignerService({ keys: provider, watermarks: await openOne() }), new SignerService({ keys: provider.twin(), watermarks: await openOne() })];
    const sign = (index: number, bytes: Uint8Array) => () => (signers[index] as SignerService).sign(provider.key.pkh, bytes);
    const block = (level: number, payload: number) => buildBlockRequest({ chainId, level, payloadHash: new Uint8Array(32).fill(payload) });
    let last: { bytes: Uint8Array; signature: string } | undefined;
    for (let race = 0; race < races; race++) {
      const level = FIRST_LEVEL + 2 * race;
      const bytes = block(level, 1);
      const same = await staggered([sign(0, bytes), sign(1, bytes)], race);
      const signatures = new Set(same.map((result) => (result.status === 'fulfilled' ? result.value.signature : `refused: ${String(result.reason)}`)));
      expectThat(same.every((result) => result.status === 'fulfilled') && signatures.size === 1, () => `two signers asked for the same block at level ${level} at once answered ${shown([...signatures])}: one signature must leave, and both answer it`);

      const blocks = [block(level + 1, 2), block(level + 1, 3)];
      const other = await staggered([sign(0, blocks[0] as Uint8Array), sign(1, blocks[1] as Uint8Array)], race);
      const signedIndex = other.findIndex((result) => result.status === 'fulfilled');
      const signedCount = other.filter((result) => result.status === 'fulfilled').length;
      const refusedRightly = other.filter((result) => result.status === 'rejected' && isTezsignerError(result.reason, 'WATERMARK_REFUSED')).length;
      expectThat(signedCount === 1 && refusedRightly === 1, () => `two signers asked at once for two different blocks at level ${level + 1} round 0: ${signedCount} signed, ${refusedRightly} refused with WATERMARK_REFUSED (one payload must be signed, the other refused)`);
      last = { bytes: blocks[signedIndex] as Uint8Array, signature: (other[signedIndex] as PromiseFulfilledResult<SignResult>).value.signature };
    }
    return { provider, ...(last as { bytes: Uint8Array; signature: string }) };
  });
}

async function checkImport(store: WatermarkStore, key: WatermarkKey, top: SignedMark, rule: Rule): Promise<void> {
  const importEntries = store.importEntries?.bind(store);
  if (importEntries === undefined) return;
  await rule('import', async () => {
    const lower = { level: top.level - 1, round: 0, hash: randomHash() };
    const lowered = await importEntries([{ key, watermark: lower }]);
    expectThat(lowered.length === 0, () => `importing a mark below the stored one reported it raised ${shown(lowered)}`);
    const read = await store.read(key);
    expectThat(sameWatermark(read, top), () => `importing a lower mark left ${shown(read)}, not ${shown(top)}`);
    const higher: WatermarkMark = { level: top.level + 10, round: 0, hash: randomHash() };
    const raised = await importEntries([{ key, watermark: higher }]);
    expectThat(raised.length === 1 && watermarkKeyId(raised[0] as WatermarkKey) === watermarkKeyId(key), () => `importing a higher mark reported ${shown(raised)} raised`);
    const after = await store.read(key);
    expectThat(after?.level === higher.level && after.round === higher.round && after.hash === higher.hash, () => `after importing ${shown(higher)} the store read ${shown(after)}`);
  });
}

/** Lets a store's writing under way move on (several turns of the event loop, no clock). */
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** WatermarkStore.prepareCommit, for the stores that have it: nothing counts or shows before complete(). */
async function checkPrepared(store: WatermarkStore, openOne: () => Promise<WatermarkStore>, pkh: string, rule: Rule): Promise<void> {
  const prepare = store.prepareCommit?.bind(store);
  if (prepare === undefined) return;
  await rule('prepared', async () => {
    const key: WatermarkKey = { chainId: b58cEncode(randomBytes(4), 'Net'), pkh, kind: 'block' };
    const mark = (level: number): SignedMark => ({ level, round: 0, hash: randomHash(), signature: randomSignature() });
    const base = mark(FIRST_LEVEL);
    expectCommitted(await store.commit(key, base), base);
    const other = await openOne();
    const unseen = async (what: string) => {
      for (const [who, instance] of [['this instance', store], ['another instance', other]] as const) {
        const read = await instance.read(key);
        expectThat(sameWatermark(read, base), () => `${what}, ${who} read ${shown(read)}, not the stored ${shown(base)}`);
        const listed = (await instance.list()).find((entry) => watermarkKeyId(entry.key) === watermarkKeyId(key));
        expectThat(listed !== undefined && sameWatermark(listed.watermark, base), () => `${what}, ${who} listed ${shown(listed)}, not the stored ${shown(base)}`);
      }
    };

    const abandoned = mark(FIRST_LEVEL + 1);
    const dropped = prepare(key, abandoned);
    await turns(8);
    await unseen('while a higher mark was prepared and not completed');
    await dropped.abandon();
    await unseen('after a prepared mark was abandoned');
    const sameSpot = { ...abandoned, hash: randomHash(), signature: randomSignature() };
    expectCommitted(await other.commit(key, sameSpot), sameSpot);

    const overtaken = prepare(key, mark(FIRST_LEVEL + 2));
    const higher = mark(FIRST_LEVEL + 3);
    expectCommitted(await other.commit(key, higher), higher);
    const late = await overtaken.complete();
    expectThat(late?.committed === false && sameWatermark(late.stored, higher), () => `a prepared mark completed after another instance committed above it answered ${shown(late)}, not the higher ${shown(higher)}`);

    const top = mark(FIRST_LEVEL + 4);
    expectCommitted(await prepare(key, top).complete(), top);
    const read = await (await openOne()).read(key);
    expectThat(sameWatermark(read, top), () => `after a prepared mark was completed a new instance read ${shown(read)}, not ${shown(top)}`);
  });
}
