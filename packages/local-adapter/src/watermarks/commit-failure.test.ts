import { describe, expect, it } from 'vitest';
import { isTezsignerError } from '@tezsigner/core';
import { CreateAndListError } from '../files/commit-threads.js';
import { commitFailure } from './commit-failure.js';

const failed = (step: 'write' | 'flush' | 'list', code: string) => new CreateAndListError({ message: `${code}: it failed, ${step}`, code, step });

describe('commitFailure', () => {
  it('names the file, the flush or the listing that failed, with the store error each is', () => {
    const cases: Array<[CreateAndListError | Error, string, string]> = [
      [failed('write', 'ENOSPC'), 'STORE_UNAVAILABLE', 'cannot write the watermark file /m/k/block/5-0.json: ENOSPC: it failed'],
      [failed('flush', 'EIO'), 'STORE_UNAVAILABLE', 'cannot flush the watermark folder /m/k/block: EIO: it failed'],
      [failed('list', 'EACCES'), 'STORE_UNAVAILABLE', 'cannot list the watermark folder /m/k/block: EACCES: it failed'],
      [failed('list', 'ENOTDIR'), 'STORE_CORRUPT', '/m/k/block should be a folder of watermark files'],
      [new Error('a commit thread stopped'), 'STORE_UNAVAILABLE', 'cannot write the watermark file /m/k/block/5-0.json: a commit thread stopped'],
    ];
    for (const [err, code, message] of cases) {
      const mapped = commitFailure('/m/k/block', '5-0.json', err);
      expect(isTezsignerError(mapped, code as 'STORE_UNAVAILABLE')).toBe(true);
      expect(mapped.message).toBe(message);
      expect(mapped.cause).toBe(err);
    }
  });
});
