import { describe, expect, it } from 'vitest';
import { MemoryWatermarkStore } from '../memory/watermark-store.js';
import type { CommitResult, PreparedCommit, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkStore } from '../ports/watermark-store.js';
import { isAbove, watermarkKeyId } from '../watermark/marks.js';
import { checkWatermarkStore, WATERMARK_STORE_RULES } from './check-watermark-store.js';
import { PortContractError } from './contract-error.js';

/** The data several store instances share, as a file or a table would be. */
type Rows = Map<string, { key: WatermarkKey; watermark: StoredWatermark }>;

/** Decides and writes in one synchronous step over shared rows: a correct store, which the broken ones below change in one way each. */
class AtomicStore implements WatermarkStore {
  readonly name: string = 'atomic';
  constructor(readonly rows: Rows) {}
  protected id(key: WatermarkKey): string {
    return watermarkKeyId(key);
  }
  protected allowed(signed: SignedMark, stored: StoredWatermark | undefined): boolean {
    return isAbove(signed, stored);
  }
  protected kept(signed: SignedMark): StoredWatermark {
    return signed;
  }
  read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    return Promise.resolve(this.rows.get(this.id(key))?.watermark);
  }
  commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    const stored = this.rows.get(this.id(key))?.watermark;
    if (!this.allowed(signed, stored)) return Promise.resolve({ committed: false, stored: stored as StoredWatermark });
    this.rows.set(this.id(key), { key, watermark: this.kept(signed) });
    return Promise.resolve({ committed: true });
  }
  list(): Promise<readonly WatermarkEntry[]> {
    return Promise.resolve([...this.rows.values()]);
  }
}

/** Reads, decides, then writes, each step awaited: right in one process with one SignerService, wrong as soon as two share the data. */
class ReadThenWriteStore extends AtomicStore {
  override readonly name = 'read-then-write';
  override async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    const stored = await this.read(key);
    if (!this.allowed(signed, stored)) return { committed: false, stored: stored as StoredWatermark };
    await Promise.resolve();
    this.rows.set(this.id(key), { key, watermark: signed });
    return { committed: true };
  }
}

/** Memory lost when the process ends (here: when its instances are closed). */
class ForgetfulStore extends AtomicStore {
  close(): Promise<void> {
    this.rows.clear();
    return Promise.resolve();
  }
}
/** Takes a mark at the stored level again. */
class RepeatCommitting extends AtomicStore {
  protected override allowed(signed: SignedMark, stored: StoredWatermark | undefined): boolean {
    return stored === undefined || signed.level >= stored.level;
  }
}
/** One mark per chain and key, whatever the kind. */
class KindBlind extends AtomicStore {
  protected override id(key: WatermarkKey): string {
    return `${key.chainId}/${key.pkh}`;
  }
}
/** Keeps the mark without its signature. */
class SignatureDropping extends AtomicStore {
  protected override kept({ level, round, hash }: SignedMark): StoredWatermark {
    return { level, round, hash };
  }
}

/** Imports every entry given, lower ones too. */
class LoweringImport extends AtomicStore {
  importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    for (const entry of entries) this.rows.set(this.id(entry.key), entry);
    return Promise.resolve(entries.map((entry) => entry.key));
  }
}

/** Prepares a commit as a note, and commits it on completion: a correct preparing store. */
class PreparingStore extends AtomicStore {
  prepareCommit(key: WatermarkKey, signed: SignedMark): PreparedCommit {
    return { complete: () => this.commit(key, signed), abandon: () => Promise.resolve() };
  }
}
/** Commits already when a commit is prepared, before its signature could be verified. */
class EagerPreparing extends AtomicStore {
  prepareCommit(key: WatermarkKey, signed: SignedMark): PreparedCommit {
    const committed = this.commit(key, signed);
    return { complete: () => committed, abandon: () => Promise.resolve() };
  }
}
/** What a check rejected with; fails the test when it resolves. */
async function violation(check: Promise<void>): Promise<PortContractError> {
  try {
    await check;
  } catch (err) {
    if (err instanceof PortContractError) return err;
    throw err;
  }
  throw new Error('the check passed');
}

describe('checkWatermarkStore', () => {
  it('passes MemoryWatermarkStore (one instance is its whole backing data)', async () => {
    const store = new MemoryWatermarkStore();
    await expect(checkWatermarkStore(() => store)).resolves.toBeUndefined();
  });

  it('passes a store that decides in one step over data its instances share', async () => {
    const rows: Rows = new Map();
    await expect(checkWatermarkStore(() => new AtomicStore(rows))).resolves.toBeUndefined();
  });

  it('rejects a store that reads and then writes, at the race of two instances, naming the rule', async () => {
    const rows: Rows = new Map();
    const found = await violation(checkWatermarkStore(() => new ReadThenWriteStore(rows)));
    expect(found.rule).toBe(WATERMARK_STORE_RULES.race);
    expect(found.port).toBe('WatermarkStore');
    expect(found.message).toMatch(/^WatermarkStore "read-then-write" breaks the rule "two instances racing for one position let exactly one payload and one signature out": /);
  });

  it('rejects the racy store even with one race of each kind', async () => {
    const rows: Rows = new Map();
    expect((await violation(checkWatermarkStore(() => new ReadThenWriteStore(rows), { races: 1 }))).rule).toBe(WATERMARK_STORE_RULES.race);
  });

  it('passes a store that prepares its commits, and its SignerService races go through the prepared commits', async () => {
    const rows: Rows = new Map();
    await expect(checkWatermarkStore(() => new PreparingStore(rows))).resolves.toBeUndefined();
  });

  it.each([
    ['forgets on restart', WATERMARK_STORE_RULES.restart, (rows: Rows) => new ForgetfulStore(rows)],
    ['commits a repeat again', WATERMARK_STORE_RULES.repeat, (rows: Rows) => new RepeatCommitting(rows)],
    ['keeps one mark per chain and key, whatever the kind', WATERMARK_STORE_RULES.keys, (rows: Rows) => new KindBlind(rows)],
    ['drops the signature', WATERMARK_STORE_RULES.commit, (rows: Rows) => new SignatureDropping(rows)],
    ['imports a mark below the stored one', WATERMARK_STORE_RULES.import, (rows: Rows) => new LoweringImport(rows)],
    ['makes a prepared commit count before it is completed', WATERMARK_STORE_RULES.prepared, (rows: Rows) => new EagerPreparing(rows)],
  ])('rejects a store that %s, naming the rule', async (_what, rule, make) => {
    const rows: Rows = new Map();
    expect((await violation(checkWatermarkStore(() => make(rows)))).rule).toBe(rule);
  });
});
