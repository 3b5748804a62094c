import { describe, expect, test } from 'vitest';
import { KeyGates } from './key-gates.js';

const TZ3 = 'tz3hung';

describe('KeyGates', () => {
  test('a key is open until a call with it hangs; then one trial per interval goes, the rest are refused', () => {
    const gates = new KeyGates(250);
    expect(gates.admit(TZ3, 1, 0)).toEqual({ trial: false });
    gates.hung(TZ3, 1, 0, 3000);
    expect(gates.admit(TZ3, 1, 3100)).toEqual({ refused: expect.stringContaining(`signature with ${TZ3} for 3.1 s`) as string });
    expect(gates.admit(TZ3, 1, 3250)).toEqual({ trial: true });
    expect(gates.admit(TZ3, 1, 3260)).toHaveProperty('refused');
    expect(gates.admit(TZ3, 1, 3499)).toHaveProperty('refused');
    expect(gates.admit(TZ3, 1, 3500)).toEqual({ trial: true });
    expect(gates.admit('tz1other', 1, 3500)).toEqual({ trial: false });
  });

  test('an answer opens the key again; a new module process tries it at once, as a trial', () => {
    const gates = new KeyGates(250);
    gates.hung(TZ3, 1, 0, 3000);
    gates.answered(TZ3);
    expect(gates.admit(TZ3, 1, 3001)).toEqual({ trial: false });
    gates.hung(TZ3, 1, 4000, 7000);
    expect(gates.describe(8000)).toBe(`the HSM has not answered signatures with ${TZ3} for 4.0 s`);
    expect(gates.admit(TZ3, 2, 7001)).toEqual({ trial: true });
    expect(gates.admit(TZ3, 2, 7002)).toHaveProperty('refused');
    expect(gates.describe(8000)).toBe(`the HSM has not answered signatures with ${TZ3} for 4.0 s`);
    gates.answered(TZ3);
    expect(gates.describe(8000)).toBeUndefined();
  });

  test('a second hang while suspect keeps the first one as the start', () => {
    const gates = new KeyGates(250);
    gates.hung(TZ3, 1, 0, 3000);
    gates.hung(TZ3, 1, 3250, 6250);
    expect(gates.describe(7000)).toContain('for 7.0 s');
  });
});
