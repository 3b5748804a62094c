import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { blake2b } from '@noble/hashes/blake2b';
import { PrefixV2, b58DecodeAndCheckPrefix } from '@taquito/utils';
import { SignerService, hexToBytes } from '@tezsigner/core';
import { AzureKeyVaultProvider, TableWatermarkStore } from '../src/index.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { outcomeOf } from '../../../test-support/errors.js';
import { startAzurite } from './support/azurite.js';
import type { Azurite } from './support/azurite.js';
import type { Fault } from './support/key-vault-faults.js';
import { KeyVaultStandIn } from './support/key-vault-stand-in.js';
import { taquitoIdentity, taquitoVerifies } from './support/taquito-check.js';

/**
 * Issue 14's third flaw: a signature that failed must not move the mark. A block request
 * meets a Key Vault that is down or too slow (the real SDK against the stand-in) while the
 * watermark lives in a real table (Azurite); afterwards the baker can still sign a lower
 * level and another payload at the level that failed, as octez would.
 */
let azurite: Azurite;
let standIn: KeyVaultStandIn;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});
beforeEach(async () => {
  standIn = await KeyVaultStandIn.start();
});
afterEach(async () => {
  await standIn.stop();
});

const CHAIN = 'NetXdQprcVkpaWU';
const block = (level: number, payload: number) => hexToBytes(tenderbakeBlock(level, 0, payload));
const hashOf = (bytes: Uint8Array) => Buffer.from(blake2b(bytes, { dkLen: 32 })).toString('hex');
const signatureBytes = (signature: string) => b58DecodeAndCheckPrefix(signature, [PrefixV2.Secp256k1Signature], true);

/** 'signed', or the code the request was refused with. */
const codeOf = (p: Promise<unknown>) => outcomeOf(p, () => 'signed');

let tables = 0;
async function bakerSigner() {
  const key = standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
  const { pkh, publicKey } = await taquitoIdentity('secp256k1', key.d as Uint8Array);
  const tableName = `vaultoutage${process.pid}x${++tables}`;
  const keys = new AzureKeyVaultProvider({
    vaultUrl: standIn.url,
    credential: standIn.credential(),
    clientOptions: standIn.clientOptions(),
    deadlineMs: 600,
    logger: { info: () => undefined, warn: () => undefined },
  });
  const service = new SignerService({ keys, watermarks: new TableWatermarkStore({ connectionString: azurite.connectionString, tableName, timeoutMs: 2000 }) });
  const raw = TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
  /** The block row as the table holds it, ETag included: any write changes it. */
  const row = async () => {
    const { etag, Level, Round, Hash, Signature } = await raw.getEntity(pkh, `${CHAIN}.block`);
    return { etag, Level, Round, Hash, Signature };
  };
  const verifies = (bytes: Uint8Array, signature: string) => taquitoVerifies('secp256k1', bytes, publicKey, signatureBytes(signature));
  return { service, pkh, row, verifies };
}

test.each<[string, Fault]>([
  ['is down (503 on every attempt)', { kind: 'status', status: 503 }],
  ['answers too late for the deadline', { kind: 'delay', ms: 3000 }],
])('a vault that %s during a block request leaves the mark where it was: then a lower level and another payload at that level are signed', async (_, fault) => {
  const { service, pkh, row, verifies } = await bakerSigner();
  const earlier = block(6990, 0x01);
  const first = await service.sign(pkh, earlier);
  expect(first.outcome).toBe('signed');
  const before = await row();
  expect(before).toMatchObject({ Level: 6990, Round: 0, Hash: hashOf(earlier), Signature: first.signature });

  standIn.inject('sign', fault, 1000);
  const asked = standIn.requests.filter((r) => r.operation === 'sign').length;
  const failed = block(7000, 0x02);
  expect(await codeOf(service.sign(pkh, failed))).toBe('BACKEND_UNAVAILABLE');
  // It did reach the vault (the failure is the signing's), and the row was not written at all.
  expect(standIn.requests.filter((r) => r.operation === 'sign').length).toBeGreaterThan(asked);
  expect(await row()).toEqual(before);

  standIn.clearFaults();
  const lower = block(6999, 0x03);
  const signedLower = await service.sign(pkh, lower);
  expect(signedLower.outcome).toBe('signed');
  expect(verifies(lower, signedLower.signature)).toBe(true);
  const other = block(7000, 0x04);
  const signedOther = await service.sign(pkh, other);
  expect(signedOther.outcome).toBe('signed');
  expect(verifies(other, signedOther.signature)).toBe(true);
  expect(await row()).toMatchObject({ Level: 7000, Round: 0, Hash: hashOf(other), Signature: signedOther.signature });
  // Now that 7000 is signed, the bytes that failed there are refused like any other payload.
  expect(await codeOf(service.sign(pkh, failed))).toBe('WATERMARK_REFUSED');
});
