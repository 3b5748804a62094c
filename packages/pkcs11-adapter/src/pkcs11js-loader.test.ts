import type * as Pkcs11jsExports from 'pkcs11js';
import { expect, test } from 'vitest';
import { loadPkcs11js, PKCS11_CONSTANTS, type Pkcs11js } from './pkcs11js-loader.js';

/** The constants' values in the PKCS#11 standard's pkcs11t.h (v2.40), not pkcs11js's. */
const STANDARD: Readonly<Record<(typeof PKCS11_CONSTANTS)[number], number>> = {
  CKA_CLASS: 0x0,
  CKA_TOKEN: 0x1,
  CKA_PRIVATE: 0x2,
  CKA_LABEL: 0x3,
  CKA_ID: 0x102,
  CKA_SENSITIVE: 0x103,
  CKA_SIGN: 0x108,
  CKA_VERIFY: 0x10a,
  CKA_EXTRACTABLE: 0x162,
  CKA_EC_PARAMS: 0x180,
  CKA_EC_POINT: 0x181,
  CKF_RW_SESSION: 0x2,
  CKF_SERIAL_SESSION: 0x4,
  CKO_PUBLIC_KEY: 0x2,
  CKO_PRIVATE_KEY: 0x3,
  CKU_USER: 0x1,
};

test("the binding's constants declared here are pkcs11js's (its types fit the declaration) and the standard's values", () => {
  // a compile-time check: pnpm typecheck fails should pkcs11js name or type one of them otherwise
  const asDeclared = (binding: typeof Pkcs11jsExports): Pkcs11js => binding;
  const { binding } = loadPkcs11js();
  expect(Object.fromEntries(PKCS11_CONSTANTS.map((name) => [name, binding[name]]))).toEqual(STANDARD);
  expect(asDeclared(binding as unknown as typeof Pkcs11jsExports)).toBe(binding);
});
