import { describe, expect, test } from 'vitest';
import { missingToken, slotId, unreadyToken } from './token-slot.js';

const SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so';
const READY = 0x400 | 0x8;

describe('a token that is not there or not ready says why and what fixes it', () => {
  test('no token with the label: the labels there are, and the uninitialized ones with the command that initializes one', () => {
    const message = missingToken({ label: 'baker' }, SOFTHSM, [
      { label: 'other                           ', serialNumber: '1', flags: READY },
      { label: '                                ', serialNumber: '', flags: 0 },
      undefined,
    ]);
    expect(message).toBe(
      `no token labelled "baker" in ${SOFTHSM} (2 token(s); labelled "other"; 1 not initialized (softhsm2-util --init-token --free --label baker --so-pin <SO PIN> --pin <user PIN> initializes one))`,
    );
  });

  test('an uninitialized token picked by its slot names its slot in the command', () => {
    expect(unreadyToken({ slotIndex: 1 }, SOFTHSM, { label: '', serialNumber: '', flags: 0 }, '1234')).toBe(
      'the token in slot #1 is not initialized: initialize it first (softhsm2-util --init-token --slot 1234 --label <label> --so-pin <SO PIN> --pin <user PIN>)',
    );
    expect(unreadyToken({ slotIndex: 0 }, '/opt/hsm/libvendor.so', { label: '', serialNumber: '', flags: 0 }, '0')).toContain(
      "the HSM vendor's tool, or pkcs11-tool --module /opt/hsm/libvendor.so --init-token",
    );
  });

  test('an initialized token without a user PIN says so; a ready one is ready', () => {
    expect(unreadyToken({ label: 'baker' }, SOFTHSM, { label: 'baker', serialNumber: '1', flags: 0x400 }, '7')).toContain('has no user PIN yet: set one first (pkcs11-tool');
    expect(unreadyToken({ label: 'baker' }, SOFTHSM, { label: 'baker', serialNumber: '1', flags: READY }, '7')).toBeUndefined();
  });

  test('a label holding control characters is printed escaped', () => {
    expect(missingToken({ label: 'x\n; rm -rf /' }, SOFTHSM, [])).toBe(`no token labelled "x\\n; rm -rf /" in ${SOFTHSM} (0 token(s))`);
  });

  test('a slot handle reads as the CK_SLOT_ID number (little-endian CK_ULONG)', () => {
    expect(slotId(Uint8Array.from([0xff, 0x3f, 0x00, 0x40, 0, 0, 0, 0]))).toBe(String(0x40003fff));
    expect(slotId(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]))).toBe('1');
  });
});
