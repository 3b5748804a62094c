import { isTezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { KeySlots } from './key-slots.js';

describe('KeySlots', () => {
  test('a key holds at most its share of slots; the next waits for one to come back, in order; other keys are not held up', async () => {
    const slots = new KeySlots(2);
    const far = Date.now() + 60_000;
    const first = await slots.take('tz1a', far);
    const second = await slots.take('tz1a', far);
    const order: string[] = [];
    const third = slots.take('tz1a', far).then((give) => {
      order.push('third');
      return give;
    });
    const fourth = slots.take('tz1a', far).then((give) => {
      order.push('fourth');
      return give;
    });
    // another key is not held up
    (await slots.take('tz2b', far))();
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    (await third)();
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
  });

  test('a turn that does not come by the deadline fails closed; giving a slot back twice counts once', async () => {
    const slots = new KeySlots(1);
    const give = await slots.take('tz1a', Date.now() + 60_000);
    const late = await rejection(slots.take('tz1a', Date.now() + 20));
    expect(isTezsignerError(late, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((late as Error).message).toBe('1 signature(s) with tz1a already on the token: no turn came in time');
    give();
    give();
    const again = await slots.take('tz1a', Date.now() + 60_000);
    expect(isTezsignerError(await rejection(slots.take('tz1a', Date.now() + 20)), 'BACKEND_UNAVAILABLE')).toBe(true);
    again();
  });
});
