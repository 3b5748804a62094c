import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RemoteSigner } from '@taquito/remote-signer';
import { getPkhfromPk, verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { registerSecret } from '../../../test-support/log-capture.js';
import { createSoftHsm, type SoftHsm } from '../../../test-support/softhsm.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { spawnServe, type ServeChild } from './support/serve-child.js';

const CURVES = [
  { curve: 'ed25519', address: 'tz1', signature: 'edsig' },
  { curve: 'secp256k1', address: 'tz2', signature: 'spsig1' },
  { curve: 'p256', address: 'tz3', signature: 'p2sig' },
] as const;

let hsm: SoftHsm;
let home: Awaited<ReturnType<typeof tempHome>>;
let signer: ServeChild;
const keys = new Map<string, { pkh: string; publicKey: string }>();

const token = () => ['--pkcs11-module', hsm.modulePath, '--pkcs11-token-label', hsm.label];

beforeAll(async () => {
  hsm = await createSoftHsm('e2e-token');
  registerSecret(hsm.pin);
  home = await tempHome();
  // the library reads its configuration from the environment the command runs in
  const env = { TEZSIGNER_PKCS11_PIN: hsm.pin, SOFTHSM2_CONF: hsm.conf };
  for (const { curve } of CURVES) {
    const made = await runTezsigner(['pkcs11', 'keys', 'generate', ...token(), '--curve', curve, '--label', `baker-${curve}`], { env });
    expect(made.code, made.stderr).toBe(0);
  }
  const listed = await runTezsigner(['pkcs11', 'keys', 'list', ...token()], { env });
  expect(listed.code, listed.stderr).toBe(0);
  for (const { curve } of CURVES) {
    const entry = new RegExp(`baker-${curve}\\n  address:    (\\S+)\\n  public key: (\\S+)\\n  curve:      ${curve}\\n`).exec(listed.stdout);
    if (entry === null) throw new Error(`no baker-${curve} in: ${listed.stdout}`);
    keys.set(curve, { pkh: entry[1] as string, publicKey: entry[2] as string });
  }
  const pinFile = join(home.path, 'pin');
  await writeFile(pinFile, `${hsm.pin}\n`, { mode: 0o600 });
  // the token's settings from the configuration file, as a baker's service would keep them
  const config = join(home.path, 'tezsigner.yaml');
  await writeFile(config, `vault: pkcs11\npkcs11:\n  module: ${hsm.modulePath}\n  token-label: ${hsm.label}\n  pin-file: ${pinFile}\n  sessions: 2\n`);
  signer = await spawnServe(['--config', config, '--home', home.path, '--address', '127.0.0.1', '--port', '0'], { SOFTHSM2_CONF: hsm.conf });
}, 60_000);

afterAll(async () => {
  await signer?.stop();
  await home?.remove();
  await hsm?.remove();
});

test('keys list names each generated key with the address Taquito derives from its public key', () => {
  for (const { curve, address } of CURVES) {
    const key = keys.get(curve);
    expect(key?.pkh.startsWith(address)).toBe(true);
    expect(getPkhfromPk(key?.publicKey ?? '')).toBe(key?.pkh);
  }
  expect(signer.stderr()).toContain('tezsigner: pkcs11: 3 private key(s) on the token labelled "e2e-token": 3 served, 0 skipped');
});

describe.each(CURVES)('Taquito RemoteSigner with the $curve key on the token', ({ curve, signature }) => {
  test('gets its public key, signs a block, refuses a conflicting one and repeats the stored signature', async () => {
    const key = keys.get(curve);
    if (key === undefined) throw new Error(`no ${curve} key`);
    const remote = new RemoteSigner(key.pkh, signer.url);
    expect(await remote.publicKey()).toBe(key.publicKey);

    const block = tenderbakeBlock(1000, 0);
    const signed = await remote.sign(block);
    expect(signed.prefixSig.startsWith(signature)).toBe(true);
    expect(verifySignature(block, key.publicKey, signed.prefixSig)).toBe(true);

    // another block at the same level and round: refused
    await expect(remote.sign(tenderbakeBlock(1000, 0, 0x01))).rejects.toThrow();
    // the very same block again: the signature already given, not a second one (ECDSA nonces are random)
    expect((await remote.sign(block)).prefixSig).toBe(signed.prefixSig);

    const next = tenderbakeBlock(1001, 0);
    expect(verifySignature(next, key.publicKey, (await remote.sign(next)).prefixSig)).toBe(true);
  });
});
