import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import type * as Pkcs11jsExports from 'pkcs11js';
import { PrefixV2, b58Encode, getPkhfromPk, verifySignature } from '@taquito/utils';
import { isTezsignerError, type KeyInfo } from '@tezsigner/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rejection } from '../../../test-support/errors.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { createSoftHsm, type SoftHsm } from '../../../test-support/softhsm.js';
import { faultyModule, type FaultyModule } from '../../../test-support/faulty-pkcs11.js';
import { isLowS } from '../../azure-adapter/test/support/taquito-check.js';
import { passedDeadline } from '../../http-server/src/monitoring/deadline.js';
import { Pkcs11KeyProvider, generateTokenKey, readPin, type Pkcs11ProviderOptions, type TokenCurve } from '../src/index.js';

const SIGNATURE_PREFIX = { ed25519: PrefixV2.Ed25519Signature, secp256k1: PrefixV2.Secp256k1Signature, p256: PrefixV2.P256Signature } as const;
const ADDRESS_PREFIX = { ed25519: 'tz1', secp256k1: 'tz2', p256: 'tz3' } as const;

let hsm: SoftHsm;
let logs: string[];
const generated = new Map<TokenCurve, KeyInfo>();
/** the private keys' attributes as read by the binding directly, right after generation */
const attributes = new Map<string, { token: boolean; sensitive: boolean; extractable: boolean }>();

const signInput = (bytes: Uint8Array) => ({ bytes, digest: blake2b(bytes, { dkLen: 32 }) });
const message = (n: number) => Uint8Array.from([0x03, ...new TextEncoder().encode(`operation ${n} ${Math.random()}`)]);

function options(extra: Partial<Pkcs11ProviderOptions> = {}): Pkcs11ProviderOptions {
  return { modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, logger: { info: (l) => logs.push(l), warn: (l) => logs.push(l) }, ...extra };
}

function taquitoVerifies(key: KeyInfo, bytes: Uint8Array, signature: Uint8Array): boolean {
  const encoded = b58Encode(signature, SIGNATURE_PREFIX[key.curve as TokenCurve]);
  return verifySignature(Buffer.from(bytes).toString('hex'), key.publicKey, encoded);
}

/**
 * CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE of each private key, read with pkcs11js itself; and a
 * P-384 key pair made beside them, which has no Tezos address.
 */
function inspectToken(): void {
  const pkcs11 = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11jsExports;
  const module = new pkcs11.PKCS11();
  module.load(hsm.modulePath);
  module.C_Initialize();
  try {
    const [slot] = module.C_GetSlotList(true);
    const session = module.C_OpenSession(slot as Buffer, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION);
    module.C_Login(session, pkcs11.CKU_USER, hsm.pin);
    const label = { type: pkcs11.CKA_LABEL, value: 'not-tezos' };
    module.C_GenerateKeyPair(
      session,
      { mechanism: pkcs11.CKM_EC_KEY_PAIR_GEN },
      [{ type: pkcs11.CKA_TOKEN, value: true }, label, { type: pkcs11.CKA_EC_PARAMS, value: Buffer.from('06052b81040022', 'hex') }],
      [{ type: pkcs11.CKA_TOKEN, value: true }, label, { type: pkcs11.CKA_SIGN, value: true }],
    );
    module.C_FindObjectsInit(session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }]);
    const handles = module.C_FindObjects(session, 10);
    module.C_FindObjectsFinal(session);
    for (const handle of handles) {
      const [label, token, sensitive, extractable] = module.C_GetAttributeValue(session, handle, [
        { type: pkcs11.CKA_LABEL },
        { type: pkcs11.CKA_TOKEN },
        { type: pkcs11.CKA_SENSITIVE },
        { type: pkcs11.CKA_EXTRACTABLE },
      ]);
      const flag = (attribute: typeof token) => (attribute?.value as Buffer)[0] === 1;
      attributes.set((label?.value as Buffer).toString(), { token: flag(token), sensitive: flag(sensitive), extractable: flag(extractable) });
    }
  } finally {
    module.C_Finalize();
    module.close();
  }
}

let provider: Pkcs11KeyProvider;

beforeAll(async () => {
  hsm = await createSoftHsm();
  process.env.SOFTHSM2_CONF = hsm.conf;
  logs = [];
  for (const curve of ['ed25519', 'secp256k1', 'p256'] as const) {
    generated.set(curve, await generateTokenKey({ modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, curve, label: `baker-${curve}` }));
  }
  inspectToken();
  provider = await Pkcs11KeyProvider.open(options({ maxSessions: 4 }));
});

afterAll(async () => {
  await provider?.close();
  await hsm?.remove();
});

const key = (curve: TokenCurve): KeyInfo => {
  const info = generated.get(curve);
  if (info === undefined) throw new Error(`no ${curve} key`);
  return info;
};

describe('generation and listing', () => {
  test.each(['ed25519', 'secp256k1', 'p256'] as const)('a %s key is made on the token, sensitive and not extractable, with the address Taquito derives', (curve) => {
    const info = key(curve);
    expect(info.pkh.startsWith(ADDRESS_PREFIX[curve])).toBe(true);
    expect(getPkhfromPk(info.publicKey)).toBe(info.pkh);
    expect(attributes.get(`baker-${curve}`)).toEqual({ token: true, sensitive: true, extractable: false });
  });

  test('the provider lists the three keys with their labels', async () => {
    const listed = [...(await provider.listKeys())].sort((a, b) => a.pkh.localeCompare(b.pkh));
    const expected = [...generated.values()].sort((a, b) => a.pkh.localeCompare(b.pkh));
    expect(listed).toEqual(expected);
    expect(await provider.getKey(key('p256').pkh)).toEqual(key('p256'));
    expect(logs).toContain('4 private key(s) on the token labelled "tezsigner-test": 3 served, 1 skipped');
    expect(logs).toContain('skipping key "not-tezos": not an Ed25519, secp256k1 or P-256 key');
  });

  test('a second key with a label already on the token is refused', async () => {
    const error = await rejection(generateTokenKey({ modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, curve: 'p256', label: 'baker-p256' }));
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('already holds a private key labelled "baker-p256"');
  });
});

describe('signing', () => {
  test.each(['ed25519', 'secp256k1', 'p256'] as const)('%s signatures verify with Taquito', async (curve) => {
    const bytes = message(1);
    const signature = await provider.sign(key(curve).pkh, signInput(bytes));
    expect(signature.length).toBe(64);
    expect(taquitoVerifies(key(curve), bytes, signature)).toBe(true);
    expect(taquitoVerifies(key(curve), message(2), signature)).toBe(false);
  });

  test.each(['secp256k1', 'p256'] as const)('%s signatures are low-S, every time', async (curve) => {
    for (let i = 0; i < 24; i++) {
      const signature = await provider.sign(key(curve).pkh, signInput(message(i)));
      expect(isLowS(curve, signature)).toBe(true);
    }
  });

  test('an unknown address is KEY_NOT_FOUND and a digest of the wrong length is refused', async () => {
    expect(isTezsignerError(await rejection(provider.sign('tz1burnburnburnburnburnburnburjAYjjX', signInput(message(0)))), 'KEY_NOT_FOUND')).toBe(true);
    const bad = { bytes: message(0), digest: new Uint8Array(31) };
    expect(isTezsignerError(await rejection(provider.sign(key('p256').pkh, bad)), 'INVALID_ENCODING')).toBe(true);
  });

  test('100 concurrent requests over a pool of 4 sessions all sign and verify', async () => {
    const curves = ['ed25519', 'secp256k1', 'p256'] as const;
    const requests = Array.from({ length: 100 }, (_, i) => ({ curve: curves[i % 3] as TokenCurve, bytes: message(i) }));
    const signatures = await Promise.all(requests.map((r) => provider.sign(key(r.curve).pkh, signInput(r.bytes))));
    signatures.forEach((signature, i) => {
      const request = requests[i] as (typeof requests)[number];
      expect(taquitoVerifies(key(request.curve), request.bytes, signature)).toBe(true);
    });
  });
});

describe('faults', () => {
  let faulty: FaultyModule;
  let flaky: Pkcs11KeyProvider;

  beforeAll(async () => {
    faulty = await faultyModule(hsm.modulePath);
    // the module host's environment: where the fault module finds its target and rules
    flaky = await Pkcs11KeyProvider.open(options({ modulePath: faulty.modulePath, env: { ...process.env, ...faulty.env }, deadlineMs: 1500, maxSessions: 2 }));
  });

  afterAll(async () => {
    await flaky?.close();
    await faulty?.remove();
  });

  test("sessions closed behind the pool's back are replaced, and the request still signs", async () => {
    const dropped = flaky.stats().sessionsDropped;
    await faulty.setFaults(['C_Sign closeall times=1']);
    const bytes = message(7);
    expect(taquitoVerifies(key('secp256k1'), bytes, await flaky.sign(key('secp256k1').pkh, signInput(bytes)))).toBe(true);
    expect(flaky.stats().sessionsDropped).toBeGreaterThan(dropped);
    expect(logs.some((line) => line.includes('dropped a session after C_Sign: CKR_SESSION_HANDLE_INVALID'))).toBe(true);
  });

  test('a token taken away mid-run fails closed, and signing resumes once it is back', async () => {
    const tz3 = key('p256');
    await hsm.takeAway();
    try {
      const error = await rejection(provider.sign(tz3.pkh, signInput(message(1))));
      expect(isTezsignerError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
      // still gone: still refused, never a signature
      expect(isTezsignerError(await rejection(provider.sign(tz3.pkh, signInput(message(2)))), 'BACKEND_UNAVAILABLE')).toBe(true);
    } finally {
      await hsm.putBack();
    }
    // the module is started anew to see the token again, at the pace restarts are allowed
    const bytes = message(3);
    const signature = await waitUntil('a signature once the token is back', () => provider.sign(tz3.pkh, signInput(bytes)));
    expect(taquitoVerifies(tz3, bytes, signature)).toBe(true);
    expect(provider.stats().resets).toBeGreaterThanOrEqual(1);
    const tz1 = key('ed25519');
    expect(taquitoVerifies(tz1, bytes, await provider.sign(tz1.pkh, signInput(bytes)))).toBe(true);
  });

  test('a call the module does not answer by the deadline fails closed, is counted, and a later one signs', async () => {
    const tz2 = key('secp256k1');
    await faulty.setFaults(['C_Sign hang 4000 label=baker-secp256k1']);
    const error = await rejection(flaky.sign(tz2.pkh, signInput(message(1))));
    expect(isTezsignerError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/did not answer within (149\d|1500) ms/);
    expect(flaky.stats().hungCalls).toBe(1);
    // and by /metrics, among the calls past their deadline (tezsigner_backend_deadline_exceeded_total)
    expect(passedDeadline(error)).toBe(true);
    // the other keys sign meanwhile, on sessions of their own
    const other = message(2);
    expect(taquitoVerifies(key('p256'), other, await flaky.sign(key('p256').pkh, signInput(other)))).toBe(true);
    await faulty.setFaults([]);
    const bytes = message(3);
    const signature = await waitUntil('a signature once the HSM answers', () => flaky.sign(tz2.pkh, signInput(bytes)));
    expect(taquitoVerifies(tz2, bytes, signature)).toBe(true);
  });

  test("the module's calls never take this process's thread pool: with every thread of it held, the token still signs", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tezsigner-pool-'));
    try {
      // each open(2) of a FIFO nobody writes holds one of libuv's threads, as a hung call on them would
      const fifo = join(dir, 'hold');
      execFileSync('mkfifo', [fifo]);
      const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const held = Array.from({ length: threads }, () => open(fifo, 'r'));
      try {
        const bytes = message(4);
        expect(taquitoVerifies(key('ed25519'), bytes, await flaky.sign(key('ed25519').pkh, signInput(bytes)))).toBe(true);
      } finally {
        // non-blocking, so that the test fails by its timeout rather than hangs if no reader is there
        await waitUntil('a reader of the FIFO holding the pool', () => {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          return true;
        });
        for (const handle of await Promise.all(held)) await handle.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing module or token is named at open', async () => {
    const noModule = await rejection(Pkcs11KeyProvider.open(options({ modulePath: '/nonexistent/libpkcs11.so' })));
    expect(isTezsignerError(noModule, 'CONFIG_INVALID')).toBe(true);
    expect((noModule as Error).message).toContain('cannot load the PKCS#11 module /nonexistent/libpkcs11.so');
    const noToken = await rejection(Pkcs11KeyProvider.open(options({ token: { label: 'no-such-token' } })));
    expect(isTezsignerError(noToken, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect((noToken as Error).message).toContain('no token labelled "no-such-token"');
    expect((noToken as Error).message).toContain('1 not initialized (softhsm2-util --init-token --free --label no-such-token');
  });

  test('an uninitialized token says so and names the command that initializes it', async () => {
    // SoftHSM2 always offers one more slot with a token that is not initialized
    const error = await rejection(Pkcs11KeyProvider.open(options({ token: { slotIndex: 1 } })));
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^the token in slot #1 is not initialized: initialize it first \(softhsm2-util --init-token --slot \d+ --label <label>/);
  });
});

describe('PIN', () => {
  test('from a 0600 file, refused from a file others can read, else from the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tezsigner-pin-'));
    try {
      const file = join(dir, 'pin');
      await writeFile(file, '1234\n', { mode: 0o600 });
      expect(await readPin(file, {})).toBe('1234');
      // a blank line or a space after the PIN (an editor's) is no part of it: it would cost a login attempt
      await writeFile(file, '1234 \r\n\n', { mode: 0o600 });
      expect(await readPin(file, {})).toBe('1234');
      await chmod(file, 0o644);
      const error = await rejection(readPin(file, {}));
      expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('readable by others (mode 644)');
      expect(await readPin(undefined, { TEZSIGNER_PKCS11_PIN: '5678' })).toBe('5678');
      expect(isTezsignerError(await rejection(readPin(undefined, {})), 'CONFIG_INVALID')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('login', () => {
  test('a wrong PIN is refused at open, once, and never retried (run last: it closes the provider)', async () => {
    // the library's login is one for the whole process: only with no session open does it check a PIN
    await provider.close();
    const error = await rejection(Pkcs11KeyProvider.open(options({ pin: '000000' })));
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('refused the PIN (CKR_PIN_INCORRECT)');
    expect((error as Error).message).not.toContain('000000');
  });

});
