// Key objects put on a SoftHSM2 token the way another tool would (pkcs11-tool, a vendor's
// import): with chosen CKA_ID, label and key material, so a test can make a token tezsigner
// must be careful with (two private keys on one CKA_ID, one key under two IDs, odd labels).
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as Pkcs11jsExports from 'pkcs11js';
import type { SoftHsm } from './softhsm.js';

const ADAPTER = join(resolve(import.meta.dirname, '..'), 'packages/pkcs11-adapter/package.json');

const PARAMS = { secp256k1: '06052b8104000a', p256: '06082a8648ce3d030107' } as const;
const CKK_EC = 0x3;

export interface EcKeyObject {
  readonly curve: 'secp256k1' | 'p256';
  readonly secret: Uint8Array;
  /** the public key point, uncompressed (65 bytes) or compressed (33), as CKA_EC_POINT holds it */
  readonly point: Uint8Array;
  /** CKA_ID of both objects (empty: none) */
  readonly id: Uint8Array;
  readonly label: string;
}

/** Writes each key as a private and a public token object (same CKA_ID and label), in one login. */
export function addEcKeys(hsm: SoftHsm, keys: readonly EcKeyObject[]): void {
  const pkcs11 = createRequire(ADAPTER)('pkcs11js') as typeof Pkcs11jsExports;
  const module = new pkcs11.PKCS11();
  module.load(hsm.modulePath);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = hsm.conf;
  module.C_Initialize();
  try {
    const slot = module.C_GetSlotList(true).find((candidate) => module.C_GetTokenInfo(candidate).label.trimEnd() === hsm.label);
    if (slot === undefined) throw new Error(`no token ${hsm.label}`);
    const session = module.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION);
    module.C_Login(session, pkcs11.CKU_USER, hsm.pin);
    for (const key of keys) {
      const { point } = key;
      const shared = [
        { type: pkcs11.CKA_TOKEN, value: true },
        { type: pkcs11.CKA_KEY_TYPE, value: CKK_EC },
        { type: pkcs11.CKA_EC_PARAMS, value: Buffer.from(PARAMS[key.curve], 'hex') },
        { type: pkcs11.CKA_LABEL, value: key.label },
        ...(key.id.length > 0 ? [{ type: pkcs11.CKA_ID, value: Buffer.from(key.id) }] : []),
      ];
      module.C_CreateObject(session, [
        ...shared,
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY },
        { type: pkcs11.CKA_PRIVATE, value: true },
        { type: pkcs11.CKA_SENSITIVE, value: true },
        { type: pkcs11.CKA_SIGN, value: true },
        { type: pkcs11.CKA_VALUE, value: Buffer.from(key.secret) },
      ]);
      module.C_CreateObject(session, [
        ...shared,
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PUBLIC_KEY },
        { type: pkcs11.CKA_VERIFY, value: true },
        // DER OCTET STRING around the uncompressed point, as PKCS#11 writes it
        { type: pkcs11.CKA_EC_POINT, value: Buffer.from([0x04, point.length, ...point]) },
      ]);
    }
    module.C_CloseSession(session);
  } finally {
    module.C_Finalize();
    module.close();
    if (previous === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previous;
  }
}
