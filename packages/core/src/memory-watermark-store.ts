import type { CheckResult, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkMark, WatermarkStore } from './ports/watermark-store.js';
import { KeyedQueue } from './keyed-queue.js';
import { checkWatermark, compareMarks, sameMark, watermarkKeyId } from './watermark.js';

interface Slot {
  readonly key: WatermarkKey;
  watermark: StoredWatermark;
}

/**
 * High watermarks held in this process's memory: a real WatermarkStore for embedding and
 * tests. NOT DURABLE: a restart forgets every mark, and another process sharing the keys
 * does not see them, so a production signer must use a persistent store (the local file
 * store or a shared table). Each key's check-and-advance runs alone, queued behind the
 * previous operation on the same key, so concurrent requests cannot both pass.
 */
export class MemoryWatermarkStore implements WatermarkStore {
  readonly name = 'memory';
  readonly #slots = new Map<string, Slot>();
  readonly #queue = new KeyedQueue();

  /** Runs `step` after every earlier step on the same key has settled. */
  #serialized<T>(key: WatermarkKey, step: () => T): Promise<T> {
    return this.#queue.run(watermarkKeyId(key), step);
  }

  checkAndAdvance(key: WatermarkKey, mark: WatermarkMark): Promise<CheckResult> {
    return this.#serialized(key, () => {
      const id = watermarkKeyId(key);
      const slot = this.#slots.get(id);
      const result = checkWatermark(slot?.watermark, mark);
      if (result.outcome === 'advanced') {
        const watermark = Object.freeze({ level: mark.level, round: mark.round, hash: mark.hash });
        this.#slots.set(id, { key: Object.freeze({ ...key }), watermark });
      }
      return result;
    });
  }

  record(key: WatermarkKey, mark: WatermarkMark, signature: string): Promise<void> {
    return this.#serialized(key, () => {
      const slot = this.#slots.get(watermarkKeyId(key));
      // a later request may have advanced the mark meanwhile: its signature is the one to keep
      if (slot === undefined || !sameMark(slot.watermark, mark)) return;
      slot.watermark = Object.freeze({ ...slot.watermark, signature });
    });
  }

  list(): Promise<readonly WatermarkEntry[]> {
    return Promise.resolve([...this.#slots.values()].map(({ key, watermark }) => ({ key, watermark })));
  }

  importEntries(entries: readonly WatermarkEntry[]): Promise<readonly WatermarkKey[]> {
    return Promise.all(
      entries.map(({ key, watermark }) =>
        this.#serialized(key, () => {
          const id = watermarkKeyId(key);
          const stored = this.#slots.get(id);
          if (stored !== undefined && compareMarks(watermark, stored.watermark) <= 0) return undefined;
          this.#slots.set(id, { key: Object.freeze({ ...key }), watermark: Object.freeze({ ...watermark }) });
          return key;
        }),
      ),
    ).then((raised) => raised.filter((key): key is WatermarkKey => key !== undefined));
  }
}
