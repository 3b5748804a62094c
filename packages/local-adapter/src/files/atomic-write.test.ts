import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAtomic, writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a file with a private one and leaves no temp file', async () => {
    const path = join(dir, 'f.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['f.json']);
  });

  it('fails without touching the target or leaving a temp file when it cannot rename', async () => {
    const path = join(dir, 'target');
    await writeFile(join(dir, 'keep'), 'x');
    // A non-empty folder at the target: rename of a file onto it fails.
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'y');
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['keep', 'target']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('y');
  });
});

describe('createFileAtomic', () => {
  it('creates a private file and leaves no temp file', async () => {
    const path = join(dir, 'new.json');
    await createFileAtomic(path, 'content');
    expect(await readFile(path, 'utf8')).toBe('content');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['new.json']);
  });

  it('never replaces an existing file', async () => {
    const path = join(dir, 'taken.json');
    await writeFile(path, 'first');
    await expect(createFileAtomic(path, 'second')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(dir)).toEqual(['taken.json']);
  });
});
