import { describe, expect, it } from 'vitest';
import { isTezsignerError } from './errors.js';
import { MemoryWatermarkStore } from './memory-watermark-store.js';
import type { WatermarkKey } from './ports/watermark-store.js';

const KEY: WatermarkKey = { chainId: 'NetXdQprcVkpaWU', pkh: 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', kind: 'block' };
const mark = (level: number, round: number, hash = 'aa') => ({ level, round, hash });

describe('MemoryWatermarkStore', () => {
  it('advances, repeats once recorded, refuses lower and other bytes', async () => {
    const store = new MemoryWatermarkStore();
    expect(await store.checkAndAdvance(KEY, mark(10, 0))).toEqual({ outcome: 'advanced' });
    // accepted but not yet recorded: the same bytes may be signed again
    expect(await store.checkAndAdvance(KEY, mark(10, 0))).toEqual({ outcome: 'resign' });
    await store.record(KEY, mark(10, 0), 'edsigA');
    expect(await store.checkAndAdvance(KEY, mark(10, 0))).toEqual({ outcome: 'repeat', signature: 'edsigA' });
    await expect(store.checkAndAdvance(KEY, mark(10, 0, 'bb'))).rejects.toMatchObject({ code: 'WATERMARK_REFUSED' });
    await expect(store.checkAndAdvance(KEY, mark(9, 5))).rejects.toMatchObject({ code: 'WATERMARK_REFUSED' });
    expect(await store.checkAndAdvance(KEY, mark(10, 1, 'cc'))).toEqual({ outcome: 'advanced' });
    expect(await store.list()).toEqual([{ key: KEY, watermark: { level: 10, round: 1, hash: 'cc' } }]);
  });

  it('records a signature only on the mark it belongs to', async () => {
    const store = new MemoryWatermarkStore();
    await store.checkAndAdvance(KEY, mark(10, 0));
    await store.checkAndAdvance(KEY, mark(11, 0, 'bb'));
    // the signature of level 10 arrives after level 11 advanced: it must not land on level 11
    await store.record(KEY, mark(10, 0), 'edsigOld');
    await store.record(KEY, mark(11, 0, 'other'), 'edsigWrongBytes');
    expect((await store.list())[0]?.watermark).toEqual({ level: 11, round: 0, hash: 'bb' });
  });

  it('keeps keys apart', async () => {
    const store = new MemoryWatermarkStore();
    await store.checkAndAdvance(KEY, mark(10, 0));
    expect(await store.checkAndAdvance({ ...KEY, kind: 'attestation' }, mark(5, 0))).toEqual({ outcome: 'advanced' });
    expect(await store.checkAndAdvance({ ...KEY, chainId: 'NetXnHfVqm9iesp' }, mark(5, 0))).toEqual({ outcome: 'advanced' });
    expect(await store.checkAndAdvance({ ...KEY, pkh: 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt' }, mark(5, 0))).toEqual({ outcome: 'advanced' });
    expect(await store.list()).toHaveLength(4);
  });

  it('lets exactly one of 100 concurrent different marks at one position through', async () => {
    const store = new MemoryWatermarkStore();
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => store.checkAndAdvance(KEY, mark(7, 3, `h${i}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isTezsignerError(r.reason, 'WATERMARK_REFUSED'))).toHaveLength(99);
  });

  it('keeps working on a key after a refusal', async () => {
    const store = new MemoryWatermarkStore();
    await store.checkAndAdvance(KEY, mark(10, 0));
    await expect(store.checkAndAdvance(KEY, mark(1, 0))).rejects.toMatchObject({ code: 'WATERMARK_REFUSED' });
    expect(await store.checkAndAdvance(KEY, mark(12, 0))).toEqual({ outcome: 'advanced' });
  });

  it('imports only marks above the stored ones', async () => {
    const store = new MemoryWatermarkStore();
    await store.checkAndAdvance(KEY, mark(10, 0));
    const attestation = { ...KEY, kind: 'attestation' as const };
    const raised = await store.importEntries([
      { key: KEY, watermark: { ...mark(9, 9), signature: 'edsigLow' } },
      { key: attestation, watermark: { ...mark(20, 1), signature: 'edsigNew' } },
    ]);
    expect(raised).toEqual([attestation]);
    const entries = await store.list();
    expect(entries.find((e) => e.key.kind === 'block')?.watermark).toEqual(mark(10, 0));
    expect(entries.find((e) => e.key.kind === 'attestation')?.watermark).toEqual({ ...mark(20, 1), signature: 'edsigNew' });
  });

  it('hands out frozen copies, so callers cannot lower a stored mark', async () => {
    const store = new MemoryWatermarkStore();
    const key = { ...KEY };
    await store.checkAndAdvance(key, mark(10, 0));
    key.pkh = 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt';
    const [entry] = await store.list();
    expect(entry?.key.pkh).toBe(KEY.pkh);
    expect(() => {
      (entry?.watermark as { level: number }).level = 0;
    }).toThrow(TypeError);
  });
});
