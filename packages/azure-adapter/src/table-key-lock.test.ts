import { describe, expect, it } from 'vitest';
import { KeyLock } from './table-key-lock.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyLock', () => {
  it('runs tasks of one id one at a time, in order, even when one fails', async () => {
    const lock = new KeyLock();
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
    const lock = new KeyLock();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
    };
    await Promise.all([lock.run('a', task('a')), lock.run('b', task('b'))]);
    expect(events).toEqual(['start a', 'start b', 'end a', 'end b']);
  });
});
