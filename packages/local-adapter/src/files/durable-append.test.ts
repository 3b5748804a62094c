import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DurableAppendFile } from './durable-append.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-append-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test.each(['line', 'written'] as const)('sync %s: every appended line is in the file, in order, once append resolves', async (sync) => {
  const path = join(dir, 'lines.jsonl');
  const file = await DurableAppendFile.open(path, { sync });
  // a burst: lines queued while a write is under way go out together, still in order
  await Promise.all(Array.from({ length: 50 }, (_, i) => file.append(`{"n":${i}}`)));
  await file.append('{"n":"last"}');
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  expect(lines).toEqual([...Array.from({ length: 50 }, (_, i) => `{"n":${i}}`), '{"n":"last"}']);
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  await file.close();
});

test('a file reopened appends after what it holds', async () => {
  const path = join(dir, 'lines.jsonl');
  const first = await DurableAppendFile.open(path, { sync: 'written' });
  await first.append('a');
  await first.close();
  const second = await DurableAppendFile.open(path);
  await second.append('b');
  await second.close();
  expect(await readFile(path, 'utf8')).toBe('a\nb\n');
});
