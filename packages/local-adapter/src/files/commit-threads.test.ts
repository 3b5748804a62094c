import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { CommitThreads, CreateAndListError } from './commit-threads.js';

let dir: string;
let threads: CommitThreads;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-commit-threads-'));
  threads = new CommitThreads(2);
});
afterEach(async () => {
  await threads.close();
  await rm(dir, { recursive: true, force: true });
});

const isTemp = (name: string) => name.endsWith('.tmp');

describe('CommitThreads', () => {
  it('creates a private file and answers the folder listed after it, without its temp name', async () => {
    await writeFile(join(dir, 'older.json'), 'o');
    const result = await threads.createAndList(dir, 'new.json', 'content ✓');
    expect(result).toEqual({ created: true, names: expect.arrayContaining(['older.json', 'new.json']) as unknown });
    expect(result.created && result.names.some(isTemp)).toBe(false);
    expect(await readFile(join(dir, 'new.json'), 'utf8')).toBe('content ✓');
    expect((await stat(join(dir, 'new.json'))).mode & 0o777).toBe(0o600);
    // the temp name goes once the answer has left
    await waitUntil('the temp name removed', async () => (await readdir(dir)).length === 2);
  });

  it('never replaces a file: a name taken is answered as such, changing nothing', async () => {
    await writeFile(join(dir, 'taken.json'), 'first');
    expect(await threads.createAndList(dir, 'taken.json', 'second')).toEqual({ created: false, code: 'EEXIST' });
    expect(await readFile(join(dir, 'taken.json'), 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['taken.json']);
  });

  it('of many creations of one name at once, exactly one is made', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => threads.createAndList(dir, 'one.json', `payload ${i}`)));
    const made = results.filter((r) => r.created);
    expect(made).toHaveLength(1);
    expect(results.filter((r) => !r.created).every((r) => !r.created && r.code === 'EEXIST')).toBe(true);
    expect((await readFile(join(dir, 'one.json'), 'utf8')).startsWith('payload ')).toBe(true);
  });

  it('names the step and the call that failed', async () => {
    const missing = join(dir, 'missing');
    const err = await threads.createAndList(missing, 'x.json', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreateAndListError);
    expect(err).toMatchObject({ step: 'write', code: 'ENOENT', syscall: 'open' });
    // a file where the folder should be
    await writeFile(missing, 'not a folder');
    expect(await threads.createAndList(missing, 'x.json', 'x').catch((e: unknown) => e)).toMatchObject({ step: 'write', code: 'ENOTDIR' });
  });

  it('refuses work once closed', async () => {
    await threads.close();
    await expect(threads.createAndList(dir, 'late.json', 'x')).rejects.toBeInstanceOf(CreateAndListError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not keep a process alive once its work is done, closed or not', async () => {
    const module = new URL('./commit-threads.ts', import.meta.url).href;
    const script = `const { CommitThreads } = await import(${JSON.stringify(module)}); const r = await new CommitThreads().createAndList(${JSON.stringify(dir)}, 'alive.json', 'x'); console.log(r.created);`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('true');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
