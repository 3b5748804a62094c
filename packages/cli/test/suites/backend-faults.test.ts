import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { startAzurite, type Azurite } from '../../../azure-adapter/test/support/azurite.js';
import type { Fault } from '../../../azure-adapter/test/support/key-vault-faults.js';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { taquitoIdentity } from '../../../azure-adapter/test/support/taquito-check.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { parseMetrics } from '../../../http-server/test/support/switchable.js';
import { tempHome } from '../support/run-cli.js';
import { AZURE_MAIN, postSign, refusedLines, spawnServe, type ServeChild } from '../support/serve-child.js';

/**
 * Faults of the key backend and of the table store under one real `tezsigner serve` (Key Vault
 * through the stand-in, marks in an Azurite table): each fails closed (503 with the documented
 * code, no signature, one request log line), turns /readyz not ready while it lasts, and clears
 * by itself once the fault is gone, with no mark lowered.
 */
const DEADLINE_MS = 1_500;

let standIn: KeyVaultStandIn;
let azurite: Azurite;
let location: string;
let home: Awaited<ReturnType<typeof tempHome>>;
let server: ServeChild;
let key: { pkh: string; publicKey: string };
let level = 100;

const sign = (at: number, payload = 0) => postSign(server.url, key.pkh, tenderbakeBlock(at, 0, payload));
const readiness = async () => {
  const response = await fetch(`${server.metricsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { reasons?: string[] } };
};
const logLinesWith = (code: string) => refusedLines(server.stdout(), code);
const metric = async (series: string) => parseMetrics(await (await fetch(`${server.metricsUrl}/metrics`)).text()).get(series) ?? 0;
const VAULT_SIGN = '{backend="azure-key-vault",operation="sign"}';

/** One signature before, `fault`, a refusal (503 `code`, one log line), readiness, `clear`, recovery by itself. */
async function failsClosedThenRecovers(code: string, fault: () => Promise<void> | void, clear: () => Promise<void> | void) {
  const before = await sign(++level);
  expect(before.status).toBe(200);
  expect(verifySignature(tenderbakeBlock(level, 0, 0), key.publicKey, before.signature ?? '')).toBe(true);
  await fault();
  const linesBefore = logLinesWith(code);
  const refused = await sign(++level);
  expect(refused).toMatchObject({ status: 503, error: { code } });
  expect(refused.signature).toBeUndefined();
  // the request log line reaches stdout a moment after the answer
  await waitUntil(`a log line with ${code}`, () => logLinesWith(code) > linesBefore, { timeoutMs: 10_000 });
  expect(logLinesWith(code) - linesBefore).toBe(1);
  const notReady = await readiness();
  expect(notReady.status).toBe(503);
  expect(notReady.body.reasons?.join(' ')).toContain(code);
  await clear();
  // no operator action: readiness comes back by itself
  await waitUntil('/readyz to answer 200 again', async () => (await readiness()).status === 200, { timeoutMs: 60_000 });
  // no mark lowered: the level signed before the fault is refused with other bytes, the refused one signs now
  expect((await sign(level - 1, 0x01)).status).toBe(409);
  const after = await sign(level);
  expect(after.status).toBe(200);
  expect(verifySignature(tenderbakeBlock(level, 0, 0), key.publicKey, after.signature ?? '')).toBe(true);
}

beforeAll(async () => {
  standIn = await KeyVaultStandIn.start();
  const stored = standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
  key = await taquitoIdentity('secp256k1', stored.d as Uint8Array);
  location = await mkdtemp(join(tmpdir(), 'tezsigner-backend-faults-'));
  azurite = await startAzurite({ location });
  home = await tempHome();
  server = await spawnServe(
    [
      ...['--vault', 'azure', '--azure-vault-url', standIn.url, '--azure-deadline-ms', String(DEADLINE_MS)],
      ...['--watermark-store', 'azure-table', '--azure-table-name', 'faultmarks'],
      ...['--home', home.path, '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--log-level', 'info'],
    ],
    { TEZSIGNER_TEST_AZURE_TOKEN: standIn.token, TEZSIGNER_TEST_AZURE_CA: standIn.certificate, AZURE_TABLE_CONNECTION_STRING: azurite.connectionString },
    AZURE_MAIN,
  );
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await standIn?.stop();
  await azurite?.stop();
  await home?.remove();
  if (location !== undefined) await rm(location, { recursive: true, force: true });
});

describe('the Key Vault stand-in failing under a running serve', () => {
  /** The whole service fails (its signs and the reads /readyz makes) until cleared. */
  const vaultDown = (fault: Fault) => () => {
    standIn.inject('sign', fault, 1_000);
    standIn.inject('get', fault, 1_000);
  };
  const vaultBack = () => standIn.clearFaults();

  // retried: whether attempts were retried within the deadline (a wait asked past it, or one
  // attempt as long as the deadline, leaves no room for a second)
  test.each<[string, Fault, boolean]>([
    ['answering 429 with a Retry-After past the deadline', { kind: 'throttle', retryAfterSeconds: 30 }, false],
    ['answering 500', { kind: 'status', status: 500 }, true],
    ['answering 503', { kind: 'status', status: 503 }, true],
    ['resetting connections', { kind: 'drop' }, true],
    ['stalling past the deadline', { kind: 'delay', ms: 4 * DEADLINE_MS }, false],
  ])('%s: BACKEND_UNAVAILABLE, not ready, then signs again by itself; counted as a call past its deadline', async (_, fault, retried) => {
    const counters = () => Promise.all([`tezsigner_backend_errors_total${VAULT_SIGN}`, `tezsigner_backend_deadline_exceeded_total${VAULT_SIGN}`, 'tezsigner_backend_retries_total{backend="azure-key-vault"}'].map(metric));
    const before = await counters();
    await failsClosedThenRecovers('BACKEND_UNAVAILABLE', vaultDown(fault), vaultBack);
    // each is retried until the deadline would pass: the one refused request, as an error and a deadline
    const [errors, deadlines, retries] = (await counters()).map((value, at) => value - (before[at] ?? 0));
    expect([errors, deadlines]).toEqual([1, 1]);
    if (retried) expect(retries).toBeGreaterThan(0);
    else expect(retries).toBe(0);
  }, 120_000);

  // a signature that does not verify never leaves: the vault is asked again, and when every
  // answer is bad the request fails closed; reads still work, so /readyz has the vault sign a
  // probe after a failed signature, and is not ready until that one verifies
  test.each<[string, Fault]>([
    ['a wrong signature (of other bytes)', { kind: 'wrong-signature' }],
    ['a malformed signature (cut short)', { kind: 'malformed-signature' }],
  ])('returning %s: BACKEND_UNAVAILABLE, nothing signed, not ready until it signs right, then signs again', async (_, fault) => {
    await failsClosedThenRecovers('BACKEND_UNAVAILABLE', () => standIn.inject('sign', fault, 1_000), vaultBack);
  }, 120_000);

  test('slow within the deadline: signs, and stays ready', async () => {
    standIn.inject('sign', { kind: 'delay', ms: DEADLINE_MS / 3 }, 1);
    const slow = await sign(++level);
    expect(slow.status).toBe(200);
    expect(verifySignature(tenderbakeBlock(level, 0, 0), key.publicKey, slow.signature ?? '')).toBe(true);
    expect((await readiness()).status).toBe(200);
  }, 60_000);
});

describe('Azurite (the table store) stopped mid-request and restarted', () => {
  test('STORE_UNAVAILABLE and not ready while it is down, then signs again by itself', async () => {
    await failsClosedThenRecovers(
      'STORE_UNAVAILABLE',
      async () => {
        // a request on its way while the table goes: signed before, or refused, never half
        const linesBefore = logLinesWith('STORE_UNAVAILABLE');
        const inFlight = sign(level + 1_000);
        await azurite.stop();
        const answer = await inFlight;
        expect([200, 503]).toContain(answer.status);
        if (answer.status === 200) {
          expect(verifySignature(tenderbakeBlock(level + 1_000, 0, 0), key.publicKey, answer.signature ?? '')).toBe(true);
          level += 1_000;
        } else {
          expect(answer).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
          expect(answer.signature).toBeUndefined();
          await waitUntil('its log line', () => logLinesWith('STORE_UNAVAILABLE') > linesBefore, { timeoutMs: 10_000 });
        }
      },
      async () => {
        azurite = await startAzurite({ location, port: azurite.port });
      },
    );
  }, 120_000);
});
