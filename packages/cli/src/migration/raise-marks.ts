import { join } from 'node:path';
import { TezsignerError, UNKNOWN_HASH, compareMarks, isAbove, watermarkKeyId } from '@tezsigner/core';
import { resolveHomePath } from '@tezsigner/local-adapter';
import type { StoredWatermark, WatermarkEntry } from '@tezsigner/core';
import type { BackendOptions } from '../backends/backend-options.js';
import { withWatermarkStore } from '../backends/registry.js';
import { exists } from './path-exists.js';
import { WHOLE_LEVEL } from './octez-watermark-files.js';
import type { CliIo } from '../io/cli-io.js';

const describeMark = (w: StoredWatermark) => (w.round === WHOLE_LEVEL ? `level ${w.level}, every round` : `level ${w.level} round ${w.round}`);

/**
 * One mark per (chain, key, kind): the highest of those given (two files of one octez base
 * directory, of both naming generations, or a key written twice in one file, may hold a key
 * twice). At one (level, round), the same bytes keep the mark that carries its signature; marks
 * of different bytes there (both may be out) leave a mark that matches no bytes, so neither is
 * signed again.
 */
export function highestPerKey(entries: readonly WatermarkEntry[]): WatermarkEntry[] {
  const best = new Map<string, WatermarkEntry>();
  for (const entry of entries) {
    const id = watermarkKeyId(entry.key);
    const held = best.get(id);
    const order = held === undefined ? 1 : compareMarks(entry.watermark, held.watermark);
    if (held === undefined || order > 0) best.set(id, entry);
    else if (order < 0) continue;
    else if (held.watermark.hash !== entry.watermark.hash) best.set(id, { key: entry.key, watermark: { level: held.watermark.level, round: held.watermark.round, hash: UNKNOWN_HASH } });
    else if (held.watermark.signature === undefined && entry.watermark.signature !== undefined) best.set(id, entry);
  }
  return [...best.values()];
}

/**
 * Raises the store's marks to `entries` (never lowers one) and prints, per entry, whether it was
 * raised or kept; with `dryRun`, only reads the store and prints what an import would do.
 */
export async function raiseWatermarks(entries: readonly WatermarkEntry[], options: BackendOptions, io: CliIo, dryRun = false): Promise<void> {
  if (dryRun && options.watermarkStore === 'file' && !(await exists(join(resolveHomePath({ home: options.home, env: io.env }), 'watermarks')))) {
    // a dry run before the file store is made (opening it makes its folder): it holds nothing
    report(entries, new Set(entries.map((e) => watermarkKeyId(e.key))), new Map(), 'file', io, dryRun);
    return;
  }
  await withWatermarkStore({ ...options, readOnly: dryRun, dryRun }, io, async (store) => {
    if (!dryRun && store.importEntries === undefined) throw new TezsignerError('NOT_SUPPORTED', `the ${store.name} store cannot import watermarks`);
    const before = new Map((await store.list()).map((e) => [watermarkKeyId(e.key), e.watermark]));
    const raised = dryRun
      ? new Set(entries.filter((e) => isAbove(e.watermark, before.get(watermarkKeyId(e.key)))).map((e) => watermarkKeyId(e.key)))
      : new Set((await (store.importEntries?.(entries) ?? [])).map(watermarkKeyId));
    const stored = dryRun ? before : new Map((await store.list()).map((e) => [watermarkKeyId(e.key), e.watermark]));
    report(entries, raised, stored, store.name, io, dryRun);
  });
}

/** Per entry, whether it was (or would be) raised or kept, then the totals. */
function report(
  entries: readonly WatermarkEntry[],
  raised: ReadonlySet<string>,
  stored: ReadonlyMap<string, StoredWatermark>,
  storeName: string,
  io: CliIo,
  dryRun: boolean,
): void {
  const verb = dryRun ? 'would raise' : 'raised ';
  const signed = (w: StoredWatermark) => (w.signature === undefined ? '' : ' (signature kept: the same request gets the same signature)');
  for (const { key, watermark } of entries) {
    const id = watermarkKeyId(key);
    const now = stored.get(id);
    const where = `${key.chainId} ${key.pkh} ${key.kind}`;
    io.stdout(
      raised.has(id)
        ? `${verb} ${where} to ${describeMark(watermark)}${signed(watermark)}\n`
        : `kept    ${where} at ${now === undefined ? 'its stored mark' : describeMark(now)} (import has ${describeMark(watermark)}; never lowered)\n`,
    );
  }
  const what = `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${raised.size} ${dryRun ? 'would be raised' : 'raised'}, ${entries.length - raised.size} kept`;
  io.stdout(`${what}, ${dryRun ? 'in' : 'into'} the ${storeName} store${dryRun ? ' (dry run: nothing written)' : ''}\n`);
}
