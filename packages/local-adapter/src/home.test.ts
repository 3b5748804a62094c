import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import { openHome, resolveHomePath } from './home.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'tezsigner-home-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('resolveHomePath', () => {
  it('prefers the explicit option, then TEZSIGNER_HOME, then ~/.tezsigner', () => {
    expect(resolveHomePath({ home: '/srv/a', env: { TEZSIGNER_HOME: '/srv/b' } })).toBe('/srv/a');
    expect(resolveHomePath({ env: { TEZSIGNER_HOME: '/srv/b' } })).toBe('/srv/b');
    expect(resolveHomePath({ env: {} })).toBe(join(homedir(), '.tezsigner'));
    expect(resolveHomePath({ env: { TEZSIGNER_HOME: '' } })).toBe(join(homedir(), '.tezsigner'));
  });

  it('expands a leading ~ that no shell expanded and makes relative paths absolute', () => {
    expect(resolveHomePath({ env: { TEZSIGNER_HOME: '~/signer' } })).toBe(join(homedir(), 'signer'));
    expect(resolveHomePath({ home: 'rel/dir', env: {} })).toBe(join(process.cwd(), 'rel/dir'));
  });
});

describe('openHome', () => {
  it('creates missing folders private (0700), whatever the umask', async () => {
    const path = join(base, 'a', 'b');
    const previous = process.umask(0o022);
    try {
      expect(await openHome({ home: path, env: {} })).toEqual({ path, warnings: [] });
    } finally {
      process.umask(previous);
    }
    expect(await modeOf(path)).toBe(0o700);
  });

  it('restricts an existing folder open to others to 0700 and says so', async () => {
    const path = join(base, 'open');
    await mkdir(path);
    await chmod(path, 0o755);
    const home = await openHome({ home: path, env: {} });
    expect(await modeOf(path)).toBe(0o700);
    expect(home.warnings).toHaveLength(1);
    expect(home.warnings[0]).toContain(path);
    expect(home.warnings[0]).toContain('755');
  });

  it('accepts an existing private folder as it is', async () => {
    const path = join(base, 'private');
    await mkdir(path, { mode: 0o700 });
    expect((await openHome({ home: path, env: {} })).warnings).toEqual([]);
  });

  it('refuses a path that is a file', async () => {
    const path = join(base, 'file');
    await writeFile(path, 'x');
    const err = await openHome({ home: path, env: {} }).catch((e: unknown) => e);
    expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe(`${path} exists but is not a folder`);
  });

  it('says a folder cannot be made under a file, without the raw system message', async () => {
    const file = join(base, 'file');
    await writeFile(file, 'x');
    const err = await openHome({ home: join(file, 'home'), env: {} }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`cannot create the folder ${join(file, 'home')}: part of that path is a file, not a folder`);
  });

  it('with `existing`, refuses a missing home and creates nothing', async () => {
    const path = join(base, 'mistyped');
    const err = await openHome({ home: path, env: {}, existing: true }).catch((e: unknown) => e);
    expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain(`no tezsigner home at ${path}`);
    await expect(stat(path)).rejects.toThrow();
    await mkdir(path);
    expect((await openHome({ home: path, env: {}, existing: true })).path).toBe(path);
  });
});
