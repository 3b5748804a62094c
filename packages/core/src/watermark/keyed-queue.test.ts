import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs tasks of one id one at a time, in order, even when one fails', async () => {
    const lock = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([lock.run('a', task('1')), lock.run('a', task('2', true)), lock.run('a', task('3'))]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets different ids overlap', async () => {
    const lock = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
    };
    await Promise.all([lock.run('a', task('a')), lock.run('b', task('b'))]);
    expect(events).toEqual(['start a', 'start b', 'end a', 'end b']);
  });

  it('settles as each task does: its value, or its error (a synchronous throw included)', async () => {
    const queue = new KeyedQueue();
    const thrown = new Error('sync failure');
    const outcomes = await Promise.allSettled([
      queue.run('k', () => 7),
      queue.run('k', () => {
        throw thrown;
      }),
      queue.run('k', () => Promise.resolve('later')),
    ]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 7 },
      { status: 'rejected', reason: thrown },
      { status: 'fulfilled', value: 'later' },
    ]);
  });

  it('does not start a synchronous task before the earlier task of its key has settled', async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    const slow = queue.run('k', async () => {
      await tick();
      events.push('slow done');
    });
    const quick = queue.run('k', () => events.push('quick ran'));
    await Promise.all([slow, quick]);
    expect(events).toEqual(['slow done', 'quick ran']);
  });

  it('forgets a key once its queue is idle, and keeps it while work is queued', async () => {
    const queue = new KeyedQueue();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queue.run('a', () => gate);
    const second = queue.run('a', () => 'second');
    const other = queue.run('b', () => 'other');
    expect(queue.busyKeys).toBe(2);
    await other;
    await tick();
    expect(queue.busyKeys).toBe(1);
    release();
    await Promise.all([first, second]);
    await tick();
    expect(queue.busyKeys).toBe(0);
  });
});
