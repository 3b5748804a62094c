import { isTezsignerError } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { pickSlot, tokenSelector } from './token-selector.js';

// as modules report them: fixed-width fields padded with spaces
const tokens = [
  { label: 'baker                           ', serialNumber: '1a2b3c4d        ' },
  undefined, // a slot whose token could not be read
  { label: 'other                           ', serialNumber: '99              ' },
];

test('a token is found by its label or serial without the padding, or by its slot index', () => {
  expect(pickSlot({ label: 'baker' }, tokens)).toBe(0);
  expect(pickSlot({ serial: '99' }, tokens)).toBe(2);
  expect(pickSlot({ slotIndex: 2 }, tokens)).toBe(2);
  expect(pickSlot({ label: 'bake' }, tokens)).toBeUndefined();
  expect(pickSlot({ slotIndex: 1 }, tokens)).toBeUndefined();
  expect(pickSlot({ slotIndex: 3 }, tokens)).toBeUndefined();
});

test('two tokens with the label asked for are refused rather than one picked', () => {
  const twice = [...tokens, { label: 'baker', serialNumber: '77' }];
  expect(thrownMessage('CONFIG_INVALID', () => pickSlot({ label: 'baker' }, twice))).toContain('select it by serial');
});

test('exactly one of label, serial and slot index names the token', () => {
  expect(tokenSelector({ label: 'baker' })).toEqual({ label: 'baker' });
  expect(tokenSelector({ slot: '0' })).toEqual({ slotIndex: 0 });
  for (const wrong of [{}, { label: 'a', serial: 'b' }, { slot: '-1' }, { slot: 'one' }]) {
    let error: unknown;
    try {
      tokenSelector(wrong);
    } catch (err) {
      error = err;
    }
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
  }
});
