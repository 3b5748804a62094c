// The PKCS#11 provider against core's KeyProvider contract (@tezsigner/core/testing), on a
// SoftHSM2 token holding a key of each curve it supports: the checks a third party's provider
// would be held to, signatures asked for at once included.
import { checkKeyProvider } from '@tezsigner/core/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSoftHsm, type SoftHsm } from '../../../test-support/softhsm.js';
import { Pkcs11KeyProvider, generateTokenKey } from '../src/index.js';

let hsm: SoftHsm | undefined;
beforeAll(async () => {
  hsm = await createSoftHsm();
  process.env.SOFTHSM2_CONF = hsm.conf;
});
afterAll(() => hsm?.remove());

test('Pkcs11KeyProvider keeps the KeyProvider contract on SoftHSM2 (tz1, tz2 and tz3 keys, in sessions of its own process)', async () => {
  const { modulePath, label, pin } = hsm as SoftHsm;
  const token = { label };
  for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) await generateTokenKey({ modulePath, token, pin, curve, label: `contract-${curve}` });
  const provider = await Pkcs11KeyProvider.open({ modulePath, token, pin, maxSessions: 4, logger: { info: () => undefined, warn: () => undefined } });
  try {
    expect((await provider.listKeys()).map((key) => key.curve).sort()).toEqual(['ed25519', 'p256', 'secp256k1']);
    await expect(checkKeyProvider(provider)).resolves.toBeUndefined();
  } finally {
    await provider.close();
  }
});
