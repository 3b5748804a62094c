import { verifySignature } from '@taquito/utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { taquitoIdentity } from '../../../azure-adapter/test/support/taquito-check.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { startPostgres, type PostgresCluster } from '../../../postgres-adapter/test/support/postgres-cluster.js';
import { seededRandom } from '../support/seeded-random.js';
import { tempHome } from '../support/run-cli.js';
import { AZURE_MAIN, postSign, spawnServe, type ServeChild } from '../support/serve-child.js';

/**
 * An HA pair on PostgreSQL: two `tezsigner serve --vault azure --watermark-store postgres`
 * processes on one database, their keys in the Key Vault stand-in, which signs ECDSA with random
 * nonces (the same block signed twice gives two different valid signatures: double-baking
 * evidence). Whatever reaches which instance, and whichever dies when, at most one payload and
 * one signature leave per level.
 */
let standIn: KeyVaultStandIn;
let cluster: PostgresCluster;
let url: string;
let key: { pkh: string; publicKey: string };
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  standIn = await KeyVaultStandIn.start();
  cleanups.push(() => standIn.stop());
  cluster = await startPostgres();
  cleanups.push(() => cluster.remove());
  url = await cluster.createDatabase('ha');
  const generated = standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
  key = await taquitoIdentity('secp256k1', generated.d as Uint8Array);
  // a vault answering in a few ms, so that requests overlap inside the commit
  standIn.latencyMs = 5;
}, 120_000);

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** One instance: its own home, the shared database, metrics on a port of its own. */
async function instance(schema: string): Promise<ServeChild> {
  const home = await tempHome();
  cleanups.push(home.remove);
  const child = await spawnServe(
    [
      ...['--vault', 'azure', '--azure-vault-url', standIn.url, '--home', home.path],
      ...['--watermark-store', 'postgres', '--postgres-schema', schema],
      ...['--address', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--log-level', 'info'],
    ],
    { TEZSIGNER_TEST_AZURE_TOKEN: standIn.token, TEZSIGNER_TEST_AZURE_CA: standIn.certificate, TEZSIGNER_POSTGRES_URL: url },
    AZURE_MAIN,
  );
  cleanups.push(() => child.stop());
  return child;
}

const pair = (schema: string) => Promise.all([instance(schema), instance(schema)]);
const noPassword = (signers: readonly ServeChild[]) => {
  for (const signer of signers) {
    expect(signer.stderr()).not.toContain(cluster.password);
    expect(signer.stdout()).not.toContain(cluster.password);
  }
};

describe('two serve --vault azure on one PostgreSQL database', () => {
  test('60 identical requests split across both: one signature, from either', async () => {
    const signers = await pair('identical');
    const block = tenderbakeBlock(5_000, 0);
    const signsBefore = standIn.authorized('sign').length;
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => postSign(signers[i % 2]!.url, key.pkh, block)));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    expect(new Set(answers.map((a) => a.signature)).size).toBe(1);
    expect(verifySignature(block, key.publicKey, answers[0]!.signature!)).toBe(true);
    // each instance may have asked the vault once; only the committed one of those ever left
    const vaultSigns = standIn.authorized('sign').length - signsBefore;
    expect(vaultSigns).toBeGreaterThanOrEqual(1);
    expect(vaultSigns).toBeLessThanOrEqual(2);
    let commits = 0;
    for (const signer of signers) {
      expect(signer.stderr()).toMatch(/high watermarks: postgres store/);
      const metrics = await (await fetch(`${signer.metricsUrl}/metrics`)).text();
      // every request reads the mark on the shared store
      expect(metrics).toMatch(/tezsigner_watermark_store_duration_seconds_count\{store="postgres",operation="read"\} \d+/);
      // an instance that found the other's mark before asking the vault answered all from the
      // store and committed nothing: its commit series is then absent
      commits += Number(/tezsigner_watermark_store_duration_seconds_count\{store="postgres",operation="commit"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      expect(metrics).not.toContain(cluster.password);
      expect((await fetch(`${signer.metricsUrl}/readyz`)).status).toBe(200);
    }
    // every signature the vault made was offered to the store as a commit, and no other
    expect(commits).toBe(vaultSigns);
    noPassword(signers);
  }, 120_000);

  test('60 different payloads at one level across both: one is signed, every other refused', async () => {
    const signers = await pair('payloads');
    const blocks = Array.from({ length: 60 }, (_, i) => tenderbakeBlock(6_000, 0, i + 1));
    const answers = await Promise.all(blocks.map((block, i) => postSign(signers[i % 2]!.url, key.pkh, block)));
    const signed = answers.flatMap((a, i) => (a.status === 200 ? [{ block: blocks[i]!, signature: a.signature! }] : []));
    expect(signed).toHaveLength(1);
    expect(verifySignature(signed[0]!.block, key.publicKey, signed[0]!.signature)).toBe(true);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.error?.code)).toEqual(Array(59).fill('WATERMARK_REFUSED'));
    noPassword(signers);
  }, 120_000);

  test('30 levels of conflicting pairs, instances SIGKILLed and restarted at random: no level with two payloads, every signature verifies', async () => {
    const random = seededRandom(Number(process.env['TEZSIGNER_SEED'] ?? Date.now() % 100_000));
    console.log(`HA kill test on PostgreSQL: TEZSIGNER_SEED=${random.seed} replays it`);
    const slots: ServeChild[] = await pair('killed');
    const answered: Array<{ level: number; payload: number; block: string; signature: string }> = [];
    let kills = 0;
    for (let level = 7_000; level < 7_030; level++) {
      const blocks = [1, 2].map((payload) => tenderbakeBlock(level, 0, payload));
      const requests = slots.map(async (slot, i) => {
        try {
          const answer = await postSign(slot.url, key.pkh, blocks[i]!);
          if (answer.status === 200) answered.push({ level, payload: i + 1, block: blocks[i]!, signature: answer.signature! });
          else expect([409, 503]).toContain(answer.status);
        } catch {
          // the instance was killed under the request: no answer
        }
      });
      // a kill now and then, at a random moment while the pair's requests are in flight
      const victim = random.next() < 0.4 ? random.below(2) : undefined;
      if (victim !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, random.next() * 15));
        slots[victim]!.kill();
        kills++;
      }
      await Promise.all(requests);
      if (victim !== undefined) {
        await slots[victim]!.exited;
        slots[victim] = await instance('killed');
      }
    }
    expect(kills).toBeGreaterThan(3);
    const payloads = new Map<number, Set<number>>();
    const signatures = new Map<number, Set<string>>();
    for (const a of answered) {
      payloads.set(a.level, (payloads.get(a.level) ?? new Set()).add(a.payload));
      signatures.set(a.level, (signatures.get(a.level) ?? new Set()).add(a.signature));
      expect(verifySignature(a.block, key.publicKey, a.signature)).toBe(true);
    }
    expect([...payloads].filter(([, set]) => set.size > 1)).toEqual([]);
    expect([...signatures].filter(([, set]) => set.size > 1)).toEqual([]);
    // most levels got their one signature out
    expect(payloads.size).toBeGreaterThanOrEqual(15);
    noPassword(slots);
  }, 300_000);
});
