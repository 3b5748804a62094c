// The provider against an HSM that misbehaves: SoftHSM2 behind the fault-injecting module
// (test-support/faulty-pkcs11), which hangs, wedges, answers garbage, DER or high-S, or fails
// on command. The module runs in the provider's host process; this process only asks.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { PrefixV2, b58Encode, verifySignature } from '@taquito/utils';
import { isTezsignerError, publicKeyHash, type KeyInfo } from '@tezsigner/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { faultyModule, type FaultyModule } from '../../../test-support/faulty-pkcs11.js';
import { addEcKeys } from '../../../test-support/softhsm-objects.js';
import { createSoftHsm, type SoftHsm } from '../../../test-support/softhsm.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { isLowS } from '../../azure-adapter/test/support/taquito-check.js';
import { passedDeadline } from '../../http-server/src/monitoring/deadline.js';
import { Pkcs11KeyProvider, generateTokenKey, type Pkcs11ProviderOptions, type TokenCurve } from '../src/index.js';

// long enough that a call the module answers is never late on a loaded 2-core machine
const DEADLINE_MS = 1500;
const SIGNATURE_PREFIX = { ed25519: PrefixV2.Ed25519Signature, secp256k1: PrefixV2.Secp256k1Signature, p256: PrefixV2.P256Signature } as const;

let hsm: SoftHsm;
let faulty: FaultyModule;
let env: NodeJS.ProcessEnv;
let logs: string[];
const keys = new Map<TokenCurve, KeyInfo>();
const opened: Pkcs11KeyProvider[] = [];

const message = () => Uint8Array.from([0x03, ...randomBytes(40)]);
const signInput = (bytes: Uint8Array) => ({ bytes, digest: blake2b(bytes, { dkLen: 32 }) });
const key = (curve: TokenCurve): KeyInfo => keys.get(curve) as KeyInfo;
const verifies = (info: KeyInfo, bytes: Uint8Array, signature: Uint8Array) =>
  verifySignature(Buffer.from(bytes).toString('hex'), info.publicKey, b58Encode(signature, SIGNATURE_PREFIX[info.curve as TokenCurve]));

async function provider(extra: Partial<Pkcs11ProviderOptions> = {}): Promise<Pkcs11KeyProvider> {
  const opening = Pkcs11KeyProvider.open({
    modulePath: faulty.modulePath,
    token: { label: hsm.label },
    pin: hsm.pin,
    env,
    deadlineMs: DEADLINE_MS,
    logger: { info: (line) => logs.push(line), warn: (line) => logs.push(line) },
    ...extra,
  });
  const opened_ = await opening;
  opened.push(opened_);
  return opened_;
}

/** How long `run` took to settle, and how. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; error?: unknown; value?: T }> {
  const started = performance.now();
  try {
    const value = await run();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

beforeAll(async () => {
  hsm = await createSoftHsm('faults');
  faulty = await faultyModule(hsm.modulePath);
  // the module host's environment: SoftHSM's configuration, the fault module's target and rules
  env = { ...process.env, SOFTHSM2_CONF: hsm.conf, ...faulty.env };
  for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) {
    keys.set(curve, await generateTokenKey({ modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, env, curve, label: `key-${curve}` }));
  }
});

afterEach(async () => {
  await faulty.setFaults([]);
  for (const each of opened.splice(0)) await each.close();
});

afterAll(async () => {
  await faulty?.remove();
  await hsm?.remove();
});

describe('a module that hangs', () => {
  test('every call hung: more calls out than libuv has threads, requests refused at once, /readyz says why, this process keeps its file I/O', async () => {
    logs = [];
    const token = await provider({ maxSessions: 16, restartAfterMs: 120_000, deadlineMs: 400 });
    await faulty.setFaults(['* hang forever']);
    const first = await timed(() => token.sign(key('ed25519').pkh, signInput(message())));
    // within what was left of the 400 ms when the call went out (a millisecond may have passed)
    expect((first.error as Error).message).toMatch(/did not answer within (39\d|400) ms/);
    // /metrics counts it among the calls past their deadline; the refusals made at once below are not
    expect(passedDeadline(first.error)).toBe(true);
    // the probe that followed hung too: the module is silent, every request is refused at once
    await waitUntil('the module to be taken as silent', () => token.readinessDetail()?.includes('has not answered for'));
    for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) {
      const refused = await timed(() => token.sign(key(curve).pkh, signInput(message())));
      expect(isTezsignerError(refused.error, 'BACKEND_UNAVAILABLE')).toBe(true);
      expect((refused.error as Error).message).toContain('refused at once until it answers again');
      expect(passedDeadline(refused.error)).toBe(false);
    }
    // the probes every 250 ms hang as well, each on a thread of the host: more than libuv's pool of this process has
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    await waitUntil(`more than ${threads} calls out`, () => token.callsOut() > threads);
    expect(token.stats().hungCalls).toBeGreaterThan(threads);
    // ... while this process writes, syncs and reads files (on libuv's pool) as ever
    const dir = await mkdtemp(join(tmpdir(), 'tezsigner-io-'));
    try {
      const file = await open(join(dir, 'mark'), 'w');
      await file.writeFile('level 1');
      await file.sync();
      await file.close();
      expect(await readFile(join(dir, 'mark'), 'utf8')).toBe('level 1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const probe = await timed(() => token.probe());
    expect((probe.error as Error).message).toMatch(/^the PKCS#11 module has not answered for \d+\.\d s \(\d+ call\(s\) still out\)/);
    expect(token.stats().restarts).toBe(0);
  });

  test('a call that hangs costs its request: when the HSM answers again the next request signs, though the hung calls are still out', async () => {
    logs = [];
    const token = await provider();
    await faulty.setFaults(['C_Sign hang 60000']);
    const tz2 = key('secp256k1');
    expect((await timed(() => token.sign(tz2.pkh, signInput(message())))).error).toBeDefined();
    expect(token.callsOut()).toBeGreaterThanOrEqual(1);
    await faulty.setFaults([]);
    const bytes = message();
    const signature = await waitUntil('a signature once the HSM answers again', async () => token.sign(tz2.pkh, signInput(bytes)));
    expect(verifies(tz2, bytes, signature)).toBe(true);
    // the call that hung is still out (for a minute): the signature did not wait for it
    expect(token.callsOut()).toBeGreaterThanOrEqual(1);
    expect(token.readinessDetail()).toBeUndefined();
  });

  test('a key that hangs holds a trial call at a time; the other keys keep signing', async () => {
    logs = [];
    const token = await provider({ maxSessions: 4, restartAfterMs: 120_000 });
    await faulty.setFaults(['C_Sign hang forever label=key-p256']);
    const hung = key('p256');
    const healthy = key('secp256k1');
    const until = Date.now() + 2 * DEADLINE_MS;
    const outcomes: string[] = [];
    // a client hammering the hung key, and the baker signing with the other
    const hammer = (async () => {
      while (Date.now() < until) outcomes.push(((await timed(() => token.sign(hung.pkh, signInput(message())))).error as Error).message);
    })();
    let signed = 0;
    while (Date.now() < until) {
      const bytes = message();
      expect(verifies(healthy, bytes, await token.sign(healthy.pkh, signInput(bytes)))).toBe(true);
      signed++;
    }
    await hammer;
    expect(signed).toBeGreaterThan(10);
    expect(outcomes.some((text) => text.includes('one request every 250 ms is tried, the others are refused at once'))).toBe(true);
    // one trial per 250 ms at most, each set aside at its deadline: far fewer calls out than requests
    expect(token.callsOut()).toBeLessThanOrEqual(Math.ceil((2 * DEADLINE_MS) / 250) + 1);
    expect(outcomes.length).toBeGreaterThan(token.callsOut());
    expect(token.readinessDetail()).toContain(`has not answered signatures with ${hung.pkh}`);
  });

  test('a module that never returns is started anew in a new process, and signs again', async () => {
    logs = [];
    const token = await provider({ restartAfterMs: 2 * DEADLINE_MS });
    // this process of the module hangs in every call from now on, whatever the rules say later
    await faulty.setFaults(['C_Sign wedge']);
    const tz3 = key('p256');
    expect((await timed(() => token.sign(tz3.pkh, signInput(message())))).error).toBeDefined();
    await faulty.setFaults([]);
    const bytes = message();
    const signature = await waitUntil('a signature from the new module process', async () => token.sign(tz3.pkh, signInput(bytes)));
    expect(verifies(tz3, bytes, signature)).toBe(true);
    expect(token.stats().restarts).toBe(1);
    expect(logs.some((line) => /a PKCS#11 call has not returned for \d+\.\d s: starting the PKCS#11 module anew in a new process \(restart 1\)/.test(line))).toBe(true);
    // the wedged process is gone with its stuck calls
    await waitUntil('the wedged calls to end with their process', () => token.callsOut() === 0);
  });
});

describe('a module that crashes', () => {
  test('takes only its own process with it: the module is started anew and signs again', async () => {
    logs = [];
    const token = await provider();
    await faulty.setFaults(['C_Sign crash times=1']);
    const tz1 = key('ed25519');
    const crashed = await rejection(token.sign(tz1.pkh, signInput(message())));
    expect(isTezsignerError(crashed, 'BACKEND_UNAVAILABLE')).toBe(true);
    await faulty.setFaults([]);
    const bytes = message();
    expect(verifies(tz1, bytes, await waitUntil('a signature from the new module process', () => token.sign(tz1.pkh, signInput(bytes))))).toBe(true);
    expect(token.stats().restarts).toBe(1);
    expect(logs.some((line) => /^the PKCS#11 module's process ended by SIGKILL: starting the PKCS#11 module anew in a new process \(restart 1\)$/.test(line))).toBe(true);
  });
});

describe('answers that are not signatures', () => {
  test.each(['secp256k1', 'p256'] as const)('a %s signature in DER is read, made low-S and verified', async (curve) => {
    const token = await provider();
    await faulty.setFaults(['C_Sign der']);
    for (let i = 0; i < 8; i++) {
      const bytes = message();
      const signature = await token.sign(key(curve).pkh, signInput(bytes));
      expect(signature.length).toBe(64);
      expect(isLowS(curve, signature)).toBe(true);
      expect(verifies(key(curve), bytes, signature)).toBe(true);
    }
  });

  test('a high-S signature leaves low-S', async () => {
    const token = await provider();
    await faulty.setFaults(['C_Sign highs']);
    for (let i = 0; i < 8; i++) {
      const bytes = message();
      const signature = await token.sign(key('p256').pkh, signInput(bytes));
      expect(isLowS('p256', signature)).toBe(true);
      expect(verifies(key('p256'), bytes, signature)).toBe(true);
    }
  });

  test('garbage fails closed; a failed function fails the request only; a device error starts the module anew', async () => {
    logs = [];
    const token = await provider();
    const tz1 = key('ed25519');
    await faulty.setFaults(['C_Sign garbage']);
    const garbage = await rejection(token.sign(tz1.pkh, signInput(message())));
    expect(isTezsignerError(garbage, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((garbage as Error).message).toContain("the token's signature does not verify");
    await faulty.setFaults(['C_Sign error 0x6']);
    const failed = await rejection(token.sign(tz1.pkh, signInput(message())));
    expect((failed as Error).message).toContain('C_Sign: CKR_FUNCTION_FAILED');
    expect(token.stats()).toMatchObject({ sessionsDropped: 0, resets: 0, restarts: 0 });
    await faulty.setFaults(['C_Sign error 0x30']);
    const device = await rejection(token.sign(tz1.pkh, signInput(message())));
    expect((device as Error).message).toContain('CKR_DEVICE_ERROR');
    expect(token.stats().resets).toBeGreaterThanOrEqual(1);
    await faulty.setFaults([]);
    const bytes = message();
    expect(verifies(tz1, bytes, await waitUntil('a signature after the reset', () => token.sign(tz1.pkh, signInput(bytes))))).toBe(true);
  });

  test('restarts are rate-limited whatever causes them: a flood of device errors gets a few', async () => {
    const token = await provider();
    await faulty.setFaults(['C_Sign error 0x30']);
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    // one at once, then after 1, 2, 4 … s: at most this many fit in the time the flood lasted
    const allowedIn = (seconds: number) => Math.floor(Math.log2(seconds + 1)) + 1;
    let requests = 0;
    // at least 3 s, and a flood: on a loaded machine a restart of the module takes much of that
    while (elapsed() < 3 || (requests <= allowedIn(elapsed()) * 5 && elapsed() < 20)) {
      await token.sign(key('secp256k1').pkh, signInput(message())).catch(() => undefined);
      requests++;
    }
    const allowed = allowedIn(elapsed());
    const { resets, restarts } = token.stats();
    expect(requests).toBeGreaterThan(allowed * 5);
    expect(resets + restarts).toBeGreaterThanOrEqual(1);
    expect(resets + restarts).toBeLessThanOrEqual(allowed);
  });
});

describe('ambiguous keys', () => {
  test('two private keys on one CKA_ID and one key under two IDs are skipped with the reason; requests for them never reach the module', async () => {
    const secrets = { dupA: p256.utils.randomSecretKey(), dupB: p256.utils.randomSecretKey(), twin: p256.utils.randomSecretKey() };
    addEcKeys(hsm, [
      { curve: 'p256', secret: secrets.dupA, point: p256.getPublicKey(secrets.dupA, false), id: Uint8Array.from([0xaa]), label: 'dup-a' },
      { curve: 'p256', secret: secrets.dupB, point: p256.getPublicKey(secrets.dupB, false), id: Uint8Array.from([0xaa]), label: 'dup-b' },
      { curve: 'p256', secret: secrets.twin, point: p256.getPublicKey(secrets.twin, false), id: Uint8Array.from([0xbb]), label: 'twin-1' },
      { curve: 'p256', secret: secrets.twin, point: p256.getPublicKey(secrets.twin, false), id: Uint8Array.from([0xcc]), label: 'twin-2' },
    ]);
    logs = [];
    const token = await provider();
    expect(logs).toContain('7 private key(s) on the token labelled "faults": 3 served, 4 skipped');
    expect(logs).toContain('skipping key "dup-a": 2 private keys share its CKA_ID aa: which one signs would be a guess; give each its own CKA_ID');
    expect(logs).toContain('skipping key "dup-b": 2 private keys share its CKA_ID aa: which one signs would be a guess; give each its own CKA_ID');
    const twin = publicKeyHash('p256', p256.getPublicKey(secrets.twin, true));
    expect(logs).toContain(`skipping key "twin-1": the same key ${twin} is on the token 2 times (CKA_IDs bb, cc): keep one`);
    expect(logs).toContain(`skipping key "twin-2": the same key ${twin} is on the token 2 times (CKA_IDs bb, cc): keep one`);
    expect(token.lastListing()).toMatchObject({ found: 7 });
    // were a request for one of them to reach the module, it would fail with a device error and reset it
    await faulty.setFaults(['dup-a', 'dup-b', 'twin-1', 'twin-2'].map((label) => `C_SignInit error 0x30 label=${label}`));
    const ambiguous = [twin, publicKeyHash('p256', p256.getPublicKey(secrets.dupA, true)), publicKeyHash('p256', p256.getPublicKey(secrets.dupB, true))];
    const healthy = key('secp256k1');
    for (let i = 0; i < 300; i++) {
      const error = await rejection(token.sign(ambiguous[i % ambiguous.length] as string, signInput(message())));
      expect(isTezsignerError(error, 'KEY_NOT_FOUND')).toBe(true);
      if (i % 30 === 0) {
        const bytes = message();
        expect(verifies(healthy, bytes, await token.sign(healthy.pkh, signInput(bytes)))).toBe(true);
      }
    }
    expect(token.stats()).toMatchObject({ resets: 0, restarts: 0 });
  });
});
