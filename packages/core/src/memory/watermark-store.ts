import type { CommitResult, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkStore } from '../ports/watermark-store.js';
import { compareMarks, isAbove, watermarkKeyId } from '../watermark/marks.js';

interface Slot {
  readonly key: WatermarkKey;
  readonly watermark: StoredWatermark;
}

/**
 * High watermarks held in this process's memory: a real WatermarkStore for embedding and
 * tests. NOT DURABLE: a restart forgets every mark, and another process sharing the keys
 * does not see them, so a production signer must use a persistent store (the local file
 * store or a shared table). A commit is one synchronous compare-and-set, so no two callers
 * can both commit one mark.
 */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly name = 'memory';
  readonly #slots = new Map<string, Slot>();

  read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    return Promise.resolve(this.#slots.get(watermarkKeyId(key))?.watermark);
  }

  commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    const id = watermarkKeyId(key);
    const stored = this.#slots.get(id)?.watermark;
    if (!isAbove(signed, stored)) return Promise.resolve({ committed: false, stored: stored as StoredWatermark });
    const { level, round, hash, signature } = signed;
    this.#slots.set(id, { key: Object.freeze({ ...key }), watermark: Object.freeze({ level, round, hash, signature }) });
    return Promise.resolve({ committed: true });
  }

  list(): Promise<readonly WatermarkEntry[]> {
    return Promise.resolve([...this.#slots.values()].map(({ key, watermark }) => ({ key, watermark })));
  }

  importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    const raised: WatermarkKey[] = [];
    for (const { key, watermark } of entries) {
      const id = watermarkKeyId(key);
      const stored = this.#slots.get(id);
      if (stored !== undefined && compareMarks(watermark, stored.watermark) <= 0) continue;
      this.#slots.set(id, { key: Object.freeze({ ...key }), watermark: Object.freeze({ ...watermark }) });
      raised.push(key);
    }
    return Promise.resolve(raised);
  }
}
