import { expect, test } from 'vitest';
import { findSecrets } from '../../../test-support/secret-scan.js';
import { keyVector } from '../../http-server/test/support/test-signer.js';

// The end-of-run log check (test-support/log-secrets-setup.ts) relies on this finder: it must
// see a secret key of any curve, plain or encrypted, and every registered secret.
test.each(['ed25519-1', 'secp256k1-1', 'p256-1', 'bls12_381-1'])('a %s secret key in a log line is found, the public key and address are not', (name) => {
  const key = keyVector(name);
  const line = `{"severity":"info","msg":"request","pkh":"${key.public_key_hash}","pk":"${key.public_key}"}`;
  expect(findSecrets(line, 'log', [])).toEqual([]);
  const leaked = findSecrets(`${line}\n{"debug":"${key.secret_key}"}`, 'log', []);
  expect(leaked).toHaveLength(1);
  expect(leaked[0]?.what).not.toContain(key.secret_key);
});

test('an encrypted secret key and a registered passphrase or token are found', () => {
  const text = 'tezsigner: imported edesk1yTdtExbRwPtdNGJifPxoSSLdTABVjhqYRYUavv4A1U4J7BDsoyPCe7msoddjMmnhoB9yvjTzYKiiWs7yBP with correct horse battery';
  expect(findSecrets(text, 'log', ['correct horse battery', 'unused token value']).map((item) => item.what)).toEqual([
    'secret key edes… (88 characters)',
    'secret corr… (21 characters)',
  ]);
});
