import { describe, expect, it } from 'vitest';
import { MemoryWatermarkStore } from './watermark-store.js';
import type { WatermarkKey } from '../ports/watermark-store.js';

const KEY: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'block' };
const signed = (level: number, round: number, hash = 'aa', signature = `edsig-${level}-${round}-${hash}`) => ({ level, round, hash, signature });

describe('MemoryWatermarkStore', () => {
  it('commits only strictly above the stored mark, and answers what stands in the way', async () => {
    const store = new MemoryWatermarkStore();
    expect(await store.read(KEY)).toBeUndefined();
    expect(await store.commit(KEY, signed(10, 0))).toEqual({ committed: true });
    expect(await store.read(KEY)).toEqual(signed(10, 0));
    // the same bytes again, other bytes at the mark, a lower mark: nothing written, the stored mark answered
    for (const offered of [signed(10, 0, 'aa', 'edsigOther'), signed(10, 0, 'bb'), signed(9, 5)]) {
      expect(await store.commit(KEY, offered)).toEqual({ committed: false, stored: signed(10, 0) });
    }
    expect(await store.commit(KEY, signed(10, 1, 'cc'))).toEqual({ committed: true });
    expect(await store.list()).toEqual([{ key: KEY, watermark: signed(10, 1, 'cc') }]);
  });

  it('keeps keys apart', async () => {
    const store = new MemoryWatermarkStore();
    await store.commit(KEY, signed(10, 0));
    for (const key of [{ ...KEY, kind: 'attestation' as const }, { ...KEY, chainId: 'NetXnHfVqm9iesp' }, { ...KEY, pkh: 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt' }]) {
      expect(await store.commit(key, signed(5, 0))).toEqual({ committed: true });
    }
    expect(await store.list()).toHaveLength(4);
  });

  it('commits exactly one of 100 concurrent different marks at one position', async () => {
    const store = new MemoryWatermarkStore();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.commit(KEY, signed(7, 3, `h${i}`))));
    const winners = results.map((r, i) => (r.committed ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    const winner = signed(7, 3, `h${winners[0]}`);
    for (const r of results) if (!r.committed) expect(r.stored).toEqual(winner);
  });

  it('imports only marks above the stored ones', async () => {
    const store = new MemoryWatermarkStore();
    await store.commit(KEY, signed(10, 0));
    const attestation = { ...KEY, kind: 'attestation' as const };
    const raised = await store.importEntries([
      { key: KEY, watermark: signed(9, 9, 'aa', 'edsigLow') },
      { key: attestation, watermark: { level: 20, round: 1, hash: 'bb' } },
    ]);
    expect(raised).toEqual([attestation]);
    expect(await store.read(KEY)).toEqual(signed(10, 0));
    expect(await store.read(attestation)).toEqual({ level: 20, round: 1, hash: 'bb' });
  });

  it('hands out frozen copies, so callers cannot lower a stored mark', async () => {
    const store = new MemoryWatermarkStore();
    const key = { ...KEY };
    await store.commit(key, signed(10, 0));
    key.pkh = 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt';
    const [entry] = await store.list();
    expect(entry?.key.pkh).toBe(KEY.pkh);
    expect(() => {
      (entry?.watermark as { level: number }).level = 0;
    }).toThrow(TypeError);
  });
});
