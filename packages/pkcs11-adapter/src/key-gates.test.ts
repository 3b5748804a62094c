import { describe, expect, test } from 'vitest';
import { KeyGates } from './key-gates.js';

const TZ3 = 'tz3hung';

describe('KeyGates', () => {
  test('a key is open until a call with it hangs; then one trial per interval goes, the rest are refused', () => {
    const gates = new KeyGates(250);
    expect(gates.admit(TZ3, 1, 0)).toBeUndefined();
    gates.hung(TZ3, 1, 0, 3000);
    expect(gates.admit(TZ3, 1, 3100)).toContain(`signature with ${TZ3} for 3.1 s`);
    expect(gates.admit(TZ3, 1, 3250)).toBeUndefined();
    expect(gates.admit(TZ3, 1, 3260)).toBeDefined();
    expect(gates.admit(TZ3, 1, 3499)).toBeDefined();
    expect(gates.admit(TZ3, 1, 3500)).toBeUndefined();
    expect(gates.admit('tz1other', 1, 3500)).toBeUndefined();
  });

  test('an answer opens the key again; so does a new module process', () => {
    const gates = new KeyGates(250);
    gates.hung(TZ3, 1, 0, 3000);
    gates.answered(TZ3);
    expect(gates.admit(TZ3, 1, 3001)).toBeUndefined();
    gates.hung(TZ3, 1, 4000, 7000);
    expect(gates.describe(1, 8000)).toBe(`the HSM has not answered signatures with ${TZ3} for 4.0 s`);
    expect(gates.admit(TZ3, 2, 7001)).toBeUndefined();
    expect(gates.describe(2, 8000)).toBeUndefined();
  });

  test('a second hang while suspect keeps the first one as the start', () => {
    const gates = new KeyGates(250);
    gates.hung(TZ3, 1, 0, 3000);
    gates.hung(TZ3, 1, 3250, 6250);
    expect(gates.describe(1, 7000)).toContain('for 7.0 s');
  });
});
