import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isTezsignerError } from '@tezsigner/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * A process that removes `<path>.lock` as fast as it can, `times` times, as a process whose
 * clock runs ahead does with every lock it finds (it takes each for stale), then exits (with 1
 * if a minute went by first).
 */
function thief(lockDir: string, times: number): { started: Promise<void>; exited: Promise<number | null>; kill: () => void } {
  const script = `
    const { rmdirSync } = require('node:fs');
    const end = Date.now() + 60000;
    let removed = 0;
    console.log('started');
    while (removed < ${times}) {
      try { rmdirSync(${JSON.stringify(lockDir)}); removed++; } catch {}
      if (Date.now() > end) process.exit(1);
    }`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then(() => undefined);
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  return { started, exited, kill: () => child.kill() };
}

describe('withFileLock', () => {
  it('waits out a lock another process removes while it is being taken, instead of failing with ENOENT', async () => {
    const path = join(dir, 'attestation.json');
    const remover = thief(`${path}.lock`, 5);
    await remover.started;
    let gone = false;
    void remover.exited.then(() => (gone = true));
    const failures: string[] = [];
    let ran = 0;
    try {
      // locks taken one after another until the other process has removed its five (however
      // late a busy machine runs it), and once more after
      for (let i = 0; (!gone || i < 1) && i < 100_000; i++) {
        await withFileLock(path, async () => void ran++, { waitMs: 20_000 }).catch((err: unknown) => void failures.push(String(err)));
      }
      await withFileLock(path, async () => void ran++);
    } finally {
      remover.kill();
    }
    expect(await remover.exited).toBe(0);
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(1);
  });

  it('fails at once, naming the path, when the folder to lock in does not exist', async () => {
    const path = join(dir, 'missing', 'attestation.json');
    const started = performance.now();
    const error = await withFileLock(path, async () => undefined).catch((err: unknown) => err);
    expect(isTezsignerError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^cannot lock ${path}: .*ENOENT`));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
