import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotARegularFile, readRegularFile } from './regular-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-regular-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const whatIs = async (path: string) => {
  try {
    await readRegularFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(NotARegularFile);
    return (err as NotARegularFile).what;
  }
  throw new Error(`${path} was read as a regular file`);
};

describe('readRegularFile', () => {
  it('reads a regular file whole (also one larger than its first read), and nothing for a missing one', async () => {
    await writeFile(join(dir, 'mark.json'), '{"level":1}\n');
    expect(await readRegularFile(join(dir, 'mark.json'))).toBe('{"level":1}\n');
    const big = 'x'.repeat(70_000);
    await writeFile(join(dir, 'big'), big);
    expect(await readRegularFile(join(dir, 'big'))).toBe(big);
    expect(await readRegularFile(join(dir, 'missing'))).toBeUndefined();
  });

  it('says what anything else is, at once: a FIFO with no writer does not block it', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await mkdir(join(dir, 'folder'));
    await symlink(join(dir, 'folder'), join(dir, 'link'));
    expect(await whatIs(join(dir, 'fifo'))).toBe('a FIFO (named pipe)');
    expect(await whatIs(join(dir, 'folder'))).toBe('a folder');
    expect(await whatIs(join(dir, 'link'))).toBe('a symbolic link');
  });

  it('says a socket is one', async () => {
    const server = createServer();
    await new Promise<void>((listening) => server.listen(join(dir, 'socket'), listening));
    try {
      expect(await whatIs(join(dir, 'socket'))).toBe('a socket');
    } finally {
      server.close();
    }
  });

  it('says a device is one, without reading from it (where this user may make one)', async (context) => {
    try {
      // /dev/zero's numbers: a read would never end
      execFileSync('mknod', [join(dir, 'zero'), 'c', '1', '5'], { stdio: 'ignore' });
    } catch {
      context.skip('mknod is not allowed here (not root, or no CAP_MKNOD)');
    }
    expect(await whatIs(join(dir, 'zero'))).toBe('a character device');
  });
});
