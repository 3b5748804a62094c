// What a tezsigner of watermark format 1 (commit f0c13e0: file-watermark-store.ts, file-lock.ts,
// atomic-write.ts, watermark-file.ts) does to commit a mark, file operation for file operation,
// for tests that run it beside this release: lock `<kind>.json` (proper-lockfile: mkdir of
// `<kind>.json.lock`, taken over with rmdir once its mtime is `staleMs` old, polled until
// `waitMs`), read `<kind>.json`, check the mark is above it, check the lock was not lost, read
// the file again and stop if it changed, write a temp file, fsync, rename it over `<kind>.json`,
// fsync the folder, release. It signs after this returns `advanced`. `at` is called at each
// point a test may freeze it.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { lock } from 'proper-lockfile';

export type Format1Point = 'locked' | 'read' | 'reread' | 'written' | 'renamed';

export interface Format1Mark {
  readonly level: number;
  readonly round: number;
  readonly hash: string;
}

export interface Format1Options {
  readonly staleMs?: number;
  readonly waitMs?: number;
  readonly at?: (point: Format1Point) => Promise<void>;
}

/** `advanced`: the mark is written and format 1 signs; anything else signs nothing. */
export type Format1Outcome = { readonly outcome: 'advanced' } | { readonly outcome: 'refused'; readonly stored: string } | { readonly outcome: 'failed'; readonly error: string };

export async function format1CheckAndAdvance(path: string, mark: Format1Mark, options: Format1Options = {}): Promise<Format1Outcome> {
  const at = options.at ?? (async () => undefined);
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lock(path, { realpath: false, stale: staleMs, retries: 0, onCompromised: (err) => (compromised = err) });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() >= deadline) return failed(`cannot lock ${path}: ${String(err)}`);
      await new Promise((done) => setTimeout(done, Math.min(1 + attempt, 25) * (0.5 + Math.random())));
    }
  }
  try {
    await at('locked');
    const seen = await readText(path);
    if (typeof seen === 'object') return failed(seen.error);
    await at('read');
    const stored = seen === undefined ? undefined : parseMark(seen);
    if (stored === 'corrupt') return failed(`the watermark file ${path} is corrupt`);
    if (stored !== undefined && !(mark.level > stored.level || (mark.level === stored.level && mark.round > stored.round))) {
      return { outcome: 'refused', stored: seen ?? '' };
    }
    if (compromised !== undefined) return failed(`lost the lock: ${compromised.message}`);
    const again = await readText(path);
    if (typeof again === 'object') return failed(again.error);
    if (again !== seen) return failed(`the watermark file ${path} changed while locked`);
    await at('reread');
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(mark)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await at('written');
    try {
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      return failed(`cannot write the watermark file ${path}: ${String(err)}`);
    }
    const folder = await open(dirname(path), 'r');
    await folder.sync();
    await folder.close();
    await at('renamed');
    return { outcome: 'advanced' };
  } finally {
    if (compromised === undefined) await release().catch(() => undefined);
  }
}

const failed = (error: string): Format1Outcome => ({ outcome: 'failed', error });

async function readText(path: string): Promise<string | undefined | { error: string }> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { error: `the watermark file ${path} cannot be read: ${String(err)}` };
  }
}

function parseMark(text: string): Format1Mark | 'corrupt' {
  try {
    const value = JSON.parse(text) as Partial<Format1Mark>;
    return Number.isSafeInteger(value.level) && Number.isSafeInteger(value.round) && typeof value.hash === 'string' ? (value as Format1Mark) : 'corrupt';
  } catch {
    return 'corrupt';
  }
}
