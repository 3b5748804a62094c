import { verifySignature } from '@taquito/utils';
import { derivePublicKey, generateSecretKey, publicKeyHash } from '@tezsigner/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { faultyModule, type FaultyModule } from '../../../../test-support/faulty-pkcs11.js';
import { addEcKeys } from '../../../../test-support/softhsm-objects.js';
import { createSoftHsm, type SoftHsm } from '../../../../test-support/softhsm.js';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { generateTokenKey } from '../../../pkcs11-adapter/src/index.js';
import { parseMetrics } from '../../../http-server/test/support/switchable.js';
import { runTezsigner, tempHome } from '../support/run-cli.js';
import { postSign, spawnServe, type ServeChild } from '../support/serve-child.js';

/**
 * A real `tezsigner serve --vault pkcs11` on SoftHSM2 behind the fault-injecting module: hung
 * calls, more of them than libuv has threads, cost their requests only (a healthy key signs
 * through the file watermark store, /healthz answers, /readyz blames the HSM and says why);
 * when the HSM answers again the next request signs within a second though the hung calls are
 * still out; a call that never returns, and a module process that answers nothing at all, are
 * got rid of by starting the module anew; ambiguous keys are skipped and requests for them never
 * reach the module; labels are printed escaped and the octez-client line shell-quoted.
 */
const DEADLINE_MS = 1000;
const RESTART_AFTER_MS = 8000;
const EVIL = 'evil\n; touch PWNED #';

let hsm: SoftHsm;
let faulty: FaultyModule;
let home: Awaited<ReturnType<typeof tempHome>>;
let server: ServeChild;
const keys = new Map<string, { pkh: string; publicKey: string }>();
const levels = new Map<string, number>();
let ambiguous: string[];
let evil: string;

/** A block at the key's next level: 200 and a signature that verifies, or the refusal. */
async function signNext(label: string): Promise<{ status: number; code?: string }> {
  const key = keys.get(label) as { pkh: string; publicKey: string };
  const level = (levels.get(label) ?? 100) + 1;
  levels.set(label, level);
  const answer = await postSign(server.url, key.pkh, tenderbakeBlock(level, 0));
  if (answer.status === 200) expect(verifySignature(tenderbakeBlock(level, 0), key.publicKey, answer.signature ?? '')).toBe(true);
  return { status: answer.status, ...(answer.error === undefined ? {} : { code: answer.error.code }) };
}

const faults = async () => parseMetrics(await (await fetch(`${server.metricsUrl}/metrics`)).text());
const fault = (metrics: Map<string, number>, name: string) => metrics.get(`tezsigner_backend_faults_total{backend="pkcs11",fault="${name}"}`) ?? 0;
const readiness = async () => {
  const response = await fetch(`${server.metricsUrl}/readyz`);
  return { status: response.status, reasons: ((await response.json()) as { reasons?: string[] }).reasons ?? [] };
};

beforeAll(async () => {
  hsm = await createSoftHsm('hang-e2e');
  faulty = await faultyModule(hsm.modulePath);
  const env = { ...process.env, SOFTHSM2_CONF: hsm.conf };
  for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) {
    const made = await generateTokenKey({ modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, env, curve, label: `key-${curve}`, logger: { info: () => undefined, warn: () => undefined } });
    keys.set(`key-${curve}`, { pkh: made.pkh, publicKey: made.publicKey });
  }
  // made by another tool: a label meant to forge log lines and commands, two keys on one CKA_ID, one key under two IDs
  const secrets = { evil: generateSecretKey('p256'), dupA: generateSecretKey('p256'), dupB: generateSecretKey('p256'), twin: generateSecretKey('p256') };
  // the public key objects hold the compressed point, as some modules write it
  const point = (name: keyof typeof secrets) => derivePublicKey(secrets[name]);
  const object = (name: keyof typeof secrets, id: number, label: string) => ({ curve: 'p256' as const, secret: secrets[name].bytes, point: point(name), id: Uint8Array.from([id]), label });
  addEcKeys(hsm, [object('evil', 0x01, EVIL), object('dupA', 0xaa, 'dup-a'), object('dupB', 0xaa, 'dup-b'), object('twin', 0xbb, 'twin-1'), object('twin', 0xcc, 'twin-2')]);
  evil = publicKeyHash('p256', point('evil'));
  ambiguous = (['dupA', 'dupB', 'twin'] as const).map((name) => publicKeyHash('p256', point(name)));
  home = await tempHome();
  server = await spawnServe(
    [
      ...['--vault', 'pkcs11', '--pkcs11-module', faulty.modulePath, '--pkcs11-token-label', hsm.label],
      ...['--pkcs11-sessions', '16', '--pkcs11-deadline-ms', String(DEADLINE_MS), '--pkcs11-restart-after-ms', String(RESTART_AFTER_MS)],
      ...['--home', home.path, '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0'],
    ],
    { SOFTHSM2_CONF: hsm.conf, ...faulty.env, TEZSIGNER_PKCS11_PIN: hsm.pin },
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await home?.remove();
  await faulty?.remove();
  await hsm?.remove();
});

describe('what serve and keys list print', () => {
  test('the keys found, served and skipped with the reasons; a label is escaped and its octez-client line shell-quoted', async () => {
    // the suggested commands come right after the "listening on" line spawnServe waited for
    await server.waitFor(new RegExp(`octez-client import secret key .* http://\\S+/${evil}\n`));
    const stderr = server.stderr();
    expect(stderr).toContain('tezsigner: pkcs11: 8 private key(s) on the token labelled "hang-e2e": 4 served, 4 skipped');
    expect(stderr).toContain('tezsigner: pkcs11: skipping key "dup-a": 2 private keys share its CKA_ID aa: which one signs would be a guess; give each its own CKA_ID');
    expect(stderr).toContain(`tezsigner: pkcs11: skipping key "twin-2": the same key ${ambiguous[2]} is on the token 2 times (CKA_IDs bb, cc): keep one`);
    expect(stderr).toContain(`tezsigner: key ${evil} (p256, evil\\n; touch PWNED #)`);
    expect(stderr).toMatch(new RegExp(`octez-client import secret key 'evil\\\\n; touch PWNED #' http://127\\.0\\.0\\.1:\\d+/${evil}\\n`));
    // no line of the log was forged by the label
    expect(stderr.split('\n').filter((line) => line.startsWith('; touch'))).toEqual([]);

    const listed = await runTezsigner(['pkcs11', 'keys', 'list', '--pkcs11-module', hsm.modulePath, '--pkcs11-token-label', hsm.label], {
      env: { TEZSIGNER_PKCS11_PIN: hsm.pin, SOFTHSM2_CONF: hsm.conf },
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toContain('tezsigner: pkcs11: 8 private key(s) on the token labelled "hang-e2e": 4 served, 4 skipped');
    expect(listed.stderr).toContain('tezsigner: pkcs11: skipped "dup-b": 2 private keys share its CKA_ID aa');
    expect(listed.stdout).toContain(`evil\\n; touch PWNED #\n  address:    ${evil}\n`);
    expect(listed.stdout.split('\n').filter((line) => line.startsWith('; touch'))).toEqual([]);
  });
});

describe('an HSM that misbehaves under a real serve', () => {
  test('ambiguous keys under load: every request for them is a 404, the module never restarts, the healthy keys sign', async () => {
    const flood = Array.from({ length: 300 }, (_, i) => postSign(server.url, ambiguous[i % ambiguous.length] as string, tenderbakeBlock(1000 + i, 0)));
    let healthy = 0;
    for (let i = 0; i < 20; i++) if ((await signNext('key-secp256k1')).status === 200) healthy++;
    const answers = await Promise.all(flood);
    expect(answers.every((answer) => answer.status === 404 && answer.error?.code === 'KEY_NOT_FOUND')).toBe(true);
    expect(healthy).toBe(20);
    const metrics = await faults();
    expect(fault(metrics, 'module_reset') + fault(metrics, 'module_restart')).toBe(0);
  });

  test('more hung calls than libuv has threads: a healthy key still signs through the file store at once, /healthz answers, /readyz blames the HSM and says why', async () => {
    await faulty.setFaults(['C_Sign hang forever label=key-p256', 'C_Sign hang forever label=key-secp256k1']);
    // clients hammering the two keys that hang: one trial each per 250 ms, each set aside at its deadline
    const hammering = Date.now() + 1500;
    const hammer = async (label: string) => {
      const codes = new Set<string>();
      while (Date.now() < hammering) codes.add((await signNext(label)).code ?? 'signed');
      return codes;
    };
    const codes = await Promise.all([hammer('key-p256'), hammer('key-p256'), hammer('key-secp256k1'), hammer('key-secp256k1')]);
    expect(codes.every((seen) => seen.size === 1 && seen.has('BACKEND_UNAVAILABLE'))).toBe(true);
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const counted = await faults();
    expect(fault(counted, 'hung_call')).toBeGreaterThan(threads);
    // each signature given up at its deadline counts as one past its deadline; the refusals made at once do not
    const pastDeadline = counted.get('tezsigner_backend_deadline_exceeded_total{backend="pkcs11",operation="sign"}') ?? 0;
    expect(pastDeadline).toBeGreaterThan(0);
    expect(pastDeadline).toBeLessThan(counted.get('tezsigner_backend_errors_total{backend="pkcs11",operation="sign"}') ?? 0);

    // the hung calls never return: only a thread pool of its own lets the healthy key and the file store go on
    expect((await signNext('key-ed25519')).status).toBe(200);
    expect(await signNext('key-p256')).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    await waitUntil('the refusal in the request log', () => server.stdout().includes('one request every 250 ms is tried, the others are refused at once'), { timeoutMs: 10_000 });
    expect((await fetch(`${server.metricsUrl}/healthz`)).status).toBe(200);
    const ready = await readiness();
    expect(ready.status).toBe(503);
    expect(ready.reasons).toHaveLength(1);
    expect(ready.reasons[0]).toMatch(/^key backend pkcs11: BACKEND_UNAVAILABLE \(the HSM has not answered signatures with tz\w+, tz\w+ for \d+\.\d s\)$/);

    // the HSM answers again, the hung calls still out (they never return): the keys sign again, with
    // no restart of the module (bench/pkcs11-faults.ts measures how soon: a trial every 250 ms)
    await faulty.setFaults([]);
    await waitUntil('a signature with the key that hung', async () => (await signNext('key-p256')).status === 200, { intervalMs: 20 });
    await waitUntil('a signature with the other key that hung', async () => (await signNext('key-secp256k1')).status === 200, { intervalMs: 20 });
    expect(fault(await faults(), 'module_restart')).toBe(0);

    // the calls that hung never return: the module is started anew in a new process, no request lost to it
    await server.waitFor(/the PKCS#11 module is serving again from a new process/, 20_000);
    expect(fault(await faults(), 'module_restart')).toBe(1);
    for (const label of ['key-ed25519', 'key-secp256k1', 'key-p256']) expect((await signNext(label)).status).toBe(200);
    expect((await readiness()).status).toBe(200);
  });

  test('a module process that answers nothing at all: refused at once, /readyz says so, then started anew and signing', async () => {
    const restarts = fault(await faults(), 'module_restart');
    // this process of the module hangs in every call from now on; the next one will not
    await faulty.setFaults(['C_Sign wedge']);
    expect(await signNext('key-ed25519')).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    await faulty.setFaults([]);
    await waitUntil('/readyz to say the module answers nothing', async () => (await readiness()).reasons[0]?.includes('the PKCS#11 module has not answered for'), { timeoutMs: 10_000 });
    expect(await signNext('key-secp256k1')).toMatchObject({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    await waitUntil('the refusal in the request log', () => server.stdout().includes('refused at once until it answers again'), { timeoutMs: 10_000 });
    expect((await fetch(`${server.metricsUrl}/healthz`)).status).toBe(200);
    await waitUntil('a signature from the new module process', async () => (await signNext('key-ed25519')).status === 200, { timeoutMs: 20_000 });
    expect(fault(await faults(), 'module_restart')).toBeGreaterThan(restarts);
    expect(server.stderr()).toMatch(/a PKCS#11 call has not returned for \d+\.\d s: starting the PKCS#11 module anew in a new process/);
  });
});
