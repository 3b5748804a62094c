import { secp256k1 } from '@noble/curves/secp256k1.js';
import { b58DecodeAndCheckPrefix, b58Encode, PrefixV2, verifySignature as taquitoVerify } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { keyVectors, loadVectors, type KeyVector, type LowSVector } from '../../../test-support/vectors.js';
import { thrownMessage } from '../../../test-support/errors.js';
import type { Curve } from './curve.js';
import { isTezsignerError, TezsignerError, type ErrorCode } from './errors.js';
import { hexToBytes } from './encoding/hex.js';
import { MemoryKeyProvider } from './memory/key-provider.js';
import { MemoryWatermarkStore } from './memory/watermark-store.js';
import type { KeyInfo, KeyProvider, SignInput } from './ports/key-provider.js';
import type { CommitResult, PreparedCommit, SignedMark, StoredWatermark, WatermarkEntry, WatermarkKey, WatermarkStore } from './ports/watermark-store.js';
import { decodeSecretKey } from './encoding/secret-key.js';
import { SignerService, type SignerPolicy } from './signer-service.js';

interface SignatureVector {
  key: string;
  public_key_hash: string;
  request: string;
  bytes_hex: string;
  blake2b_256_hex: string;
  signature: string;
}
interface ProofVector {
  key: string;
  public_key_hash: string;
  proof: string;
}
interface RequestVector {
  name: string;
  bytes_hex: string;
}

const signatureVectors = loadVectors<{ signatures: SignatureVector[]; low_s: LowSVector[]; bls_proofs_of_possession: ProofVector[] }>('signatures');
const requestVectors = loadVectors<{ requests: RequestVector[] }>('requests').requests;
const keys = keyVectors();

const key = (name: string): KeyVector => {
  const found = keys.find((k) => k.name === name);
  if (found === undefined) throw new Error(`no key ${name}`);
  return found;
};
const requestHex = (name: string): string => {
  const found = requestVectors.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no request ${name}`);
  return found.bytes_hex;
};
const BLOCK = requestHex('block level 5000000 round 0');
const BLOCK_ROUND_2 = requestHex('block level 5000000 round 2 with locked round 1');
const ED = key('ed25519-1');

/** The block vector moved to another level (header and fitness) and/or with another payload hash. */
function block(level: number, payloadByte = 0xdd): Uint8Array {
  const bytes = hexToBytes(BLOCK);
  const view = new DataView(bytes.buffer);
  view.setInt32(5, level);
  view.setInt32(96, level);
  bytes.fill(payloadByte, 152, 184);
  return bytes;
}

const memoryProvider = (...names: string[]) => new MemoryKeyProvider(names.map((name) => decodeSecretKey(key(name).secret_key)));

function service(keysProvider: KeyProvider, watermarks: WatermarkStore = new MemoryWatermarkStore(), policy?: SignerPolicy) {
  return new SignerService({ keys: keysProvider, watermarks, ...(policy === undefined ? {} : { policy }) });
}

async function rejection(promise: Promise<unknown>, code: ErrorCode): Promise<TezsignerError> {
  try {
    await promise;
  } catch (err) {
    if (isTezsignerError(err, code)) return err;
    throw err;
  }
  throw new Error(`expected ${code}, it succeeded`);
}

/** A provider around another whose answers a test can rewrite, counting the signatures asked. */
class ScriptedProvider implements KeyProvider {
  readonly name = 'scripted';
  signCalls = 0;
  constructor(
    private readonly inner: KeyProvider,
    private readonly script: { sign?: (pkh: string, input: SignInput, inner: KeyProvider) => Promise<Uint8Array>; info?: (info: KeyInfo) => KeyInfo; pop?: boolean } = {},
  ) {}
  get capabilities() {
    return { curves: this.inner.capabilities.curves, proofOfPossession: this.script.pop ?? true };
  }
  listKeys() {
    return this.inner.listKeys();
  }
  async getKey(pkh: string) {
    const info = await this.inner.getKey(pkh);
    return info && this.script.info ? this.script.info(info) : info;
  }
  sign(pkh: string, input: SignInput) {
    this.signCalls++;
    return this.script.sign ? this.script.sign(pkh, input, this.inner) : this.inner.sign(pkh, input);
  }
  proveProofOfPossession(pkh: string) {
    return (this.inner.proveProofOfPossession as (pkh: string) => Promise<Uint8Array>)(pkh);
  }
}

/** A store that fails or answers where told, otherwise a MemoryWatermarkStore. */
class FaultyStore implements WatermarkStore {
  readonly name = 'faulty';
  readonly inner = new MemoryWatermarkStore();
  commits = 0;
  constructor(private readonly fault: { read?: () => unknown; commit?: (key: WatermarkKey, signed: SignedMark) => unknown }) {}
  async read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    if (this.fault.read) return this.fault.read() as StoredWatermark | undefined;
    return this.inner.read(key);
  }
  async commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    this.commits++;
    if (this.fault.commit) return (await this.fault.commit(key, signed)) as CommitResult;
    return this.inner.commit(key, signed);
  }
  list(): Promise<readonly WatermarkEntry[]> {
    return this.inner.list();
  }
}

/**
 * A store that prepares its commits (WatermarkStore.prepareCommit) over a MemoryWatermarkStore:
 * what is prepared is only remembered, and counts once completed; each step is logged.
 */
class PreparingStore implements WatermarkStore {
  readonly name = 'preparing';
  readonly inner = new MemoryWatermarkStore();
  readonly steps: string[] = [];
  constructor(private readonly fault: { prepare?: () => never; complete?: () => Promise<CommitResult> } = {}) {}
  read(key: WatermarkKey) {
    return this.inner.read(key);
  }
  commit(key: WatermarkKey, signed: SignedMark): Promise<CommitResult> {
    this.steps.push('commit');
    return this.inner.commit(key, signed);
  }
  list() {
    return this.inner.list();
  }
  prepareCommit(key: WatermarkKey, signed: SignedMark): PreparedCommit {
    this.steps.push(`prepare ${signed.level} ${signed.signature}`);
    this.fault.prepare?.();
    return {
      complete: () => {
        this.steps.push('complete');
        return this.fault.complete?.() ?? this.inner.commit(key, signed);
      },
      abandon: async () => void this.steps.push('abandon'),
    };
  }
}

describe('SignerService against the shared signature vectors', () => {
  const byKey = new Map<string, SignatureVector[]>();
  for (const v of signatureVectors.signatures) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);

  for (const [name, vectors] of byKey) {
    const vectorKey = key(name);
    const curve: Curve = vectorKey.curve;
    it(`${name}: every request its curve can sign, in order, through the whole pipeline`, async () => {
      const store = new MemoryWatermarkStore();
      const signer = service(memoryProvider(name), store);
      for (const v of vectors) {
        const slotless = v.request.includes('tz4 key');
        const attestation = v.request.includes('attestation');
        if (attestation && slotless !== (curve === 'bls12_381')) {
          // the (pre)attestation layout belongs to the other kind of key (octez handler.ml)
          await rejection(signer.sign(v.public_key_hash, hexToBytes(v.bytes_hex)), 'BAD_REQUEST');
          continue;
        }
        const result = await signer.sign(v.public_key_hash, hexToBytes(v.bytes_hex));
        expect(result.outcome).toBe('signed');
        if (curve === 'ed25519' || curve === 'bls12_381') expect(result.signature).toBe(v.signature);
        expect(taquitoVerify(v.bytes_hex, vectorKey.public_key, result.signature)).toBe(true);
        const entries = await store.list();
        const entry = entries.find((e) => e.watermark.hash === v.blake2b_256_hex);
        expect(entry?.watermark.signature).toBe(result.signature);
        expect(entry?.key).toEqual({ chainId: 'NetXdQprcVkpaWU', pkh: v.public_key_hash, kind: result.request.kind });
      }
    });
  }
});

describe('high watermark', () => {
  it('answers the same bytes again with the stored signature, without signing', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
    const signer = service(provider);
    const first = await signer.sign(ED.public_key_hash, hexToBytes(BLOCK));
    const again = await signer.sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(again).toMatchObject({ outcome: 'repeated', signature: first.signature });
    expect(provider.signCalls).toBe(1);
  });

  it('refuses a lower mark and other bytes at the same mark, without asking the backend', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
    const signer = service(provider);
    await signer.sign(ED.public_key_hash, hexToBytes(BLOCK_ROUND_2));
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes(BLOCK)), 'WATERMARK_REFUSED')).message).toMatch(/level 5000000 round 0.*high watermark level 5000000 round 2/);
    const other = hexToBytes(BLOCK_ROUND_2);
    other[160] = 0x00;
    await rejection(signer.sign(ED.public_key_hash, other), 'WATERMARK_REFUSED');
    expect(provider.signCalls).toBe(1);
    expect((await signer.sign(ED.public_key_hash, block(5000001))).outcome).toBe('signed');
  });

  it('signs exactly one of 50 concurrent requests with different payloads at one (level, round)', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
    const signer = service(provider);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => signer.sign(ED.public_key_hash, block(6000000, i))));
    const signed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && isTezsignerError(r.reason, 'WATERMARK_REFUSED'));
    expect(signed).toHaveLength(1);
    expect(refused).toHaveLength(49);
    expect(provider.signCalls).toBe(1);
  });

  it('keeps one watermark per key and kind', async () => {
    const signer = service(memoryProvider('ed25519-1', 'ed25519-2'));
    const other = key('ed25519-2');
    await signer.sign(ED.public_key_hash, hexToBytes(BLOCK_ROUND_2));
    // another key may sign the lower block; the same key may sign a preattestation
    expect((await signer.sign(other.public_key_hash, hexToBytes(BLOCK))).outcome).toBe('signed');
    expect((await signer.sign(ED.public_key_hash, hexToBytes(requestHex('preattestation')))).outcome).toBe('signed');
  });

  it('with checkHighWatermark off, never touches the store and signs below a mark', async () => {
    const store = new FaultyStore({ read: () => { throw new Error('store must not be used'); }, commit: () => { throw new Error('store must not be used'); } });
    const signer = service(memoryProvider('ed25519-1'), store, { checkHighWatermark: false });
    await signer.sign(ED.public_key_hash, hexToBytes(BLOCK_ROUND_2));
    expect((await signer.sign(ED.public_key_hash, hexToBytes(BLOCK))).outcome).toBe('signed');
  });
});

describe('magic-byte policy', () => {
  const operation = loadVectors<{ operations: { bytes_hex: string }[] }>('operations').operations[0]?.bytes_hex ?? '';

  it('refuses bytes outside the allowlist, naming the byte', async () => {
    const signer = service(memoryProvider('ed25519-1'));
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes(operation)), 'POLICY_DENIED')).message).toMatch(/0x03 \(operation\) is not allowed.*allowed: 0x11, 0x12, 0x13/);
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes('05010000000568656c6c6f')), 'POLICY_DENIED')).message).toMatch(/0x05/);
  });

  it('applies the allowlist before reading the request: a malformed disallowed one is POLICY_DENIED', async () => {
    const signer = service(memoryProvider('ed25519-1'));
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes('03ff')), 'POLICY_DENIED')).message).toMatch(/0x03/);
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes('11ff')), 'BAD_REQUEST')).message).toMatch(/truncated/);
  });

  it('always refuses 0x04, and refuses to be configured with it', async () => {
    const auth = loadVectors<{ signed_bytes_hex: string }>('authentication').signed_bytes_hex;
    const signer = service(memoryProvider('ed25519-1'), new MemoryWatermarkStore(), { allowedMagicBytes: [0x03, 0x05, 0x11] });
    expect((await rejection(signer.sign(ED.public_key_hash, hexToBytes(auth)), 'POLICY_DENIED')).message).toMatch(/0x04 \(authentication\) is never signed/);
    expect(() => service(memoryProvider('ed25519-1'), new MemoryWatermarkStore(), { allowedMagicBytes: [0x04] })).toThrow(/0x04/);
  });

  it('signs an allowed operation without any watermark', async () => {
    const store = new MemoryWatermarkStore();
    const signer = service(memoryProvider('ed25519-1'), store, { allowedMagicBytes: [0x03] });
    const result = await signer.sign(ED.public_key_hash, hexToBytes(operation));
    expect(result.request).toMatchObject({ kind: 'operation', operationKinds: ['transaction'] });
    expect(taquitoVerify(operation, ED.public_key, result.signature)).toBe(true);
    expect(await store.list()).toEqual([]);
  });
});

describe('keys', () => {
  it('KEY_NOT_FOUND for a key the backend does not hold', async () => {
    const signer = service(memoryProvider('ed25519-1'));
    await rejection(signer.sign(key('p256-1').public_key_hash, hexToBytes(BLOCK)), 'KEY_NOT_FOUND');
    await rejection(signer.getPublicKey('tz1notakey'), 'KEY_NOT_FOUND');
  });

  it('gives public keys and lists keys', async () => {
    const signer = service(memoryProvider('ed25519-1', 'bls12_381-1'));
    expect(await signer.getPublicKey(key('bls12_381-1').public_key_hash)).toBe(key('bls12_381-1').public_key);
    expect((await signer.listKeys()).map((k) => k.pkh).sort()).toEqual([ED.public_key_hash, key('bls12_381-1').public_key_hash].sort());
  });

  it('refuses a backend that answers a lookup with another key', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'), { info: (info) => ({ ...info, pkh: key('ed25519-2').public_key_hash }) });
    await rejection(service(provider).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    expect(provider.signCalls).toBe(0);
  });

  it('refuses a backend that pairs a pkh with another key, before any watermark moves or anything is signed', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'), { info: (info) => ({ ...info, publicKey: key('ed25519-2').public_key }) });
    const store = new MemoryWatermarkStore();
    await rejection(service(provider, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    expect(provider.signCalls).toBe(0);
    expect(await store.list()).toEqual([]);
  });

  it('prepares a key before its first request, refusing then what that request would refuse', async () => {
    const provider = memoryProvider('ed25519-1');
    const signer = service(provider);
    const [listed] = await provider.listKeys();
    if (listed === undefined) throw new Error('no key listed');
    signer.prepareKey(listed);
    const { signature } = await signer.sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(taquitoVerify(BLOCK, ED.public_key, signature)).toBe(true);
    const misstated: KeyInfo = { ...listed, publicKey: key('ed25519-2').public_key };
    expect(thrownMessage('BACKEND_UNAVAILABLE', () => signer.prepareKey(misstated))).toMatch(/the public key of another key/);
  });

  it('refuses a backend that misstates the curve of a key, before any watermark moves', async () => {
    const bls = key('bls12_381-1');
    const provider = new ScriptedProvider(memoryProvider('bls12_381-1'), { info: (info) => ({ ...info, curve: 'ed25519' }) });
    const store = new MemoryWatermarkStore();
    await rejection(service(provider, store).sign(bls.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    expect(provider.signCalls).toBe(0);
    expect(await store.list()).toEqual([]);
  });
});

describe('signatures from a backend are normalized and verified', () => {
  for (const v of signatureVectors.low_s) {
    const vectorKey = keys.find((k) => k.public_key === v.public_key) as KeyVector;
    const lowS = b58Encode(v.low_s_raw_hex, v.curve === 'secp256k1' ? PrefixV2.Secp256k1Signature : PrefixV2.P256Signature);

    it(`${v.curve}: a high-S answer is returned low-S`, async () => {
      const provider = new ScriptedProvider(memoryProvider(vectorKey.name), {
        sign: async (_pkh, input) => {
          expect(Buffer.from(input.digest).toString('hex')).toBe(v.blake2b_256_hex);
          return hexToBytes(v.high_s_raw_hex);
        },
      });
      expect((await service(provider).sign(vectorKey.public_key_hash, hexToBytes(BLOCK))).signature).toBe(lowS);
    });

    if (v.curve === 'secp256k1') {
      it('secp256k1: a DER answer is returned as low-S r‖s', async () => {
        const der = secp256k1.Signature.fromBytes(hexToBytes(v.high_s_raw_hex), 'compact').toBytes('der');
        const provider = new ScriptedProvider(memoryProvider(vectorKey.name), { sign: async () => der });
        expect((await service(provider).sign(vectorKey.public_key_hash, hexToBytes(BLOCK))).signature).toBe(lowS);
      });
    }
  }

  it('refuses a signature of other bytes; the mark does not move and the same bytes can be signed later', async () => {
    const store = new MemoryWatermarkStore();
    const inner = memoryProvider('ed25519-1');
    const liar = new ScriptedProvider(inner, { sign: (pkh, input, real) => real.sign(pkh, { bytes: input.bytes, digest: new Uint8Array(32) }) });
    const error = await rejection(service(liar, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/does not verify/);
    expect(await store.list()).toEqual([]);
    const retried = await service(inner, store).sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(retried.signature).toBe(signatureVectors.signatures[0]?.signature);
  });

  it('refuses malformed answers: wrong length, not bytes, bad DER', async () => {
    const answers: unknown[] = [new Uint8Array(63), 'edsig…', undefined];
    for (const answer of answers) {
      const provider = new ScriptedProvider(memoryProvider('ed25519-1'), { sign: async () => answer as Uint8Array });
      await rejection(service(provider).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    }
    const ecdsa = new ScriptedProvider(memoryProvider('secp256k1-1'), { sign: async () => new Uint8Array([0x30, 0x02, 0x02, 0x00]) });
    await rejection(service(ecdsa).sign(key('secp256k1-1').public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
  });

  it('maps a backend exception to BACKEND_UNAVAILABLE and lets its TezsignerErrors through', async () => {
    const crashing = new ScriptedProvider(memoryProvider('ed25519-1'), { sign: async () => { throw new Error('HSM unreachable'); } });
    const error = await rejection(service(crashing).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/HSM unreachable/);
    expect((error.cause as Error).message).toBe('HSM unreachable');
    const refusing = new ScriptedProvider(memoryProvider('ed25519-1'), { sign: async () => { throw new TezsignerError('KEY_NOT_FOUND', 'key vanished'); } });
    await rejection(service(refusing).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'KEY_NOT_FOUND');
  });
});

describe('watermark store faults fail closed', () => {
  it('a store that cannot read: STORE_UNAVAILABLE, and nothing is signed', async () => {
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
    const store = new FaultyStore({ read: () => { throw new Error('disk full'); } });
    expect((await rejection(service(provider, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE')).message).toMatch(/disk full/);
    expect(provider.signCalls).toBe(0);
  });

  it('a store that cannot commit: STORE_UNAVAILABLE, no signature returned, and the mark is where it was', async () => {
    const store = new FaultyStore({ commit: () => { throw new Error('connection reset'); } });
    await rejection(service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE');
    expect(await store.list()).toEqual([]);
  });

  it('a store answering nonsense to a commit: STORE_UNAVAILABLE, no signature returned', async () => {
    for (const answer of [undefined, { committed: 'maybe' }, { committed: false }, { committed: false, stored: 'x' }]) {
      await rejection(service(memoryProvider('ed25519-1'), new FaultyStore({ commit: () => answer })).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE');
    }
  });

  it('a store that will not commit above its own mark: STORE_UNAVAILABLE, no signature returned', async () => {
    const below = { level: 4999999, round: 0, hash: '00'.repeat(32), signature: 'edsigLower' };
    const store = new FaultyStore({ commit: () => ({ committed: false, stored: below }) });
    const error = await rejection(service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE');
    expect(error.message).toMatch(/refused a commit above its stored mark/);
  });

  it('a stored signature that does not verify for these bytes: STORE_CORRUPT, nothing returned or signed', async () => {
    const otherBytes = await service(memoryProvider('ed25519-1')).sign(ED.public_key_hash, block(5000001));
    const otherKey = await service(memoryProvider('ed25519-2')).sign(key('ed25519-2').public_key_hash, hexToBytes(BLOCK));
    const hash = signatureVectors.signatures[0]?.blake2b_256_hex as string;
    for (const stored of [otherBytes.signature, otherKey.signature, 'not a signature']) {
      const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
      const store = new FaultyStore({ read: () => ({ level: 5000000, round: 0, hash, signature: stored }) });
      const error = await rejection(service(provider, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_CORRUPT');
      expect(error.message).toMatch(/does not verify/);
      expect(provider.signCalls).toBe(0);
    }
  });

  it('a stored generic sig… signature is answered with the curve prefix', async () => {
    const signed = await service(memoryProvider('ed25519-1')).sign(ED.public_key_hash, hexToBytes(BLOCK));
    const raw = Buffer.from(b58DecodeAndCheckPrefix(signed.signature, [PrefixV2.Ed25519Signature], true)).toString('hex');
    const generic = b58Encode(raw, PrefixV2.GenericSignature);
    const hash = signatureVectors.signatures[0]?.blake2b_256_hex as string;
    const store = new FaultyStore({ read: () => ({ level: 5000000, round: 0, hash, signature: generic }) });
    const again = await service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(again).toMatchObject({ outcome: 'repeated', signature: signed.signature });
  });

  it("a store's own TezsignerError passes unchanged", async () => {
    const store = new FaultyStore({ read: () => { throw new TezsignerError('STORE_CORRUPT', 'unreadable watermark file'); } });
    await rejection(service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_CORRUPT');
  });
});

describe('one conditional commit per signature', () => {
  /** A provider signing with random ECDSA nonces, as Azure Key Vault does: each call a new valid signature. */
  const randomized = () =>
    new ScriptedProvider(memoryProvider('secp256k1-1'), {
      sign: async (_pkh, input) => {
        const secret = decodeSecretKey(key('secp256k1-1').secret_key);
        await new Promise((done) => setTimeout(done, 5));
        return secp256k1.sign(input.digest, secret.bytes, { extraEntropy: true }).toCompactRawBytes();
      },
    });
  const SP = key('secp256k1-1');

  it('the randomized provider really gives a new signature for the same bytes each time (the hazard)', async () => {
    const provider = randomized();
    const input = { bytes: hexToBytes(BLOCK), digest: hexToBytes(signatureVectors.signatures[0]?.blake2b_256_hex as string) };
    const a = await provider.sign(SP.public_key_hash, input);
    const b = await provider.sign(SP.public_key_hash, input);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('100 identical block requests at once on a randomized HSM: one signature, asked for once', async () => {
    const provider = randomized();
    const signer = service(provider);
    const results = await Promise.all(Array.from({ length: 100 }, () => signer.sign(SP.public_key_hash, hexToBytes(BLOCK))));
    expect(new Set(results.map((r) => r.signature)).size).toBe(1);
    expect(results.filter((r) => r.outcome === 'signed')).toHaveLength(1);
    expect(provider.signCalls).toBe(1);
    expect(taquitoVerify(BLOCK, SP.public_key, results[0]?.signature as string)).toBe(true);
  });

  it('two signers on one store racing the same bytes on a randomized HSM: the loser answers the winner’s signature', async () => {
    const store = new MemoryWatermarkStore();
    const [a, b] = [service(randomized(), store), service(randomized(), store)];
    const [first, second] = await Promise.all([a.sign(SP.public_key_hash, hexToBytes(BLOCK)), b.sign(SP.public_key_hash, hexToBytes(BLOCK))]);
    expect(second?.signature).toBe(first?.signature);
    expect([first?.outcome, second?.outcome].sort()).toEqual(['lost_race', 'signed']);
    expect((await store.list())[0]?.watermark.signature).toBe(first?.signature);
  });

  it('two signers racing other bytes at one mark: the loser is refused and its signature never leaves', async () => {
    const store = new MemoryWatermarkStore();
    const [a, b] = [service(memoryProvider('ed25519-1'), store), service(memoryProvider('ed25519-1'), store)];
    const results = await Promise.allSettled([a.sign(ED.public_key_hash, block(6000000, 1)), b.sign(ED.public_key_hash, block(6000000, 2))]);
    const signed = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<SignerService['sign']>>> => r.status === 'fulfilled');
    expect(signed).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isTezsignerError(r.reason, 'WATERMARK_REFUSED'))).toHaveLength(1);
    expect((await store.list())[0]?.watermark.signature).toBe(signed[0]?.value.signature);
  });

  it('a signer whose view was stale commits nothing when another moved higher meanwhile', async () => {
    const higher = { level: 5000001, round: 0, hash: '11'.repeat(32), signature: 'edsigHigher' };
    // it read nothing stored, signed, and then found a higher mark at commit time
    const store = new FaultyStore({ read: () => undefined, commit: () => ({ committed: false, stored: higher }) });
    const error = await rejection(service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'WATERMARK_REFUSED');
    expect(error.message).toMatch(/high watermark level 5000001 round 0/);
  });

  it('a failed signature leaves the mark where it was: a lower level and other bytes at that level sign afterwards', async () => {
    const store = new MemoryWatermarkStore();
    let down = true;
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'), {
      sign: (pkh, input, real) => (down ? Promise.reject(new Error('vault unreachable')) : real.sign(pkh, input)),
    });
    const signer = service(provider, store);
    await rejection(signer.sign(ED.public_key_hash, block(7000)), 'BACKEND_UNAVAILABLE');
    expect(await store.list()).toEqual([]);
    down = false;
    expect((await signer.sign(ED.public_key_hash, block(6999))).outcome).toBe('signed');
    expect((await signer.sign(ED.public_key_hash, block(7000, 0x01))).outcome).toBe('signed');
  });

  it('commits each signature once, with its mark', async () => {
    const store = new FaultyStore({});
    const signer = service(memoryProvider('ed25519-1'), store);
    await signer.sign(ED.public_key_hash, hexToBytes(BLOCK));
    await signer.sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(store.commits).toBe(1);
  });

  it('never signs bytes again that were marked without a signature (an import, or an older version)', async () => {
    const hash = signatureVectors.signatures[0]?.blake2b_256_hex as string;
    const provider = new ScriptedProvider(memoryProvider('ed25519-1'));
    const store = new FaultyStore({ read: () => ({ level: 5000000, round: 0, hash }) });
    expect((await rejection(service(provider, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'WATERMARK_REFUSED')).message).toMatch(/without a stored signature/);
    expect(provider.signCalls).toBe(0);
  });
});

describe('a store that prepares its commits while the signature is verified', () => {
  it('prepares the mark with the signature, completes it once verified, and answers what was committed', async () => {
    const store = new PreparingStore();
    const result = await service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(result.signature).toBe(signatureVectors.signatures[0]?.signature);
    expect(store.steps).toEqual([`prepare 5000000 ${result.signature}`, 'complete']);
    expect((await store.list()).map((entry) => entry.watermark.signature)).toEqual([result.signature]);
  });

  it('a signature that does not verify is abandoned, never completed: the mark does not move and nothing is returned', async () => {
    const store = new PreparingStore();
    const liar = new ScriptedProvider(memoryProvider('ed25519-1'), { sign: (pkh, input, real) => real.sign(pkh, { bytes: input.bytes, digest: new Uint8Array(32) }) });
    expect((await rejection(service(liar, store).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'BACKEND_UNAVAILABLE')).message).toMatch(/does not verify/);
    expect(store.steps.slice(1)).toEqual(['abandon']);
    expect(await store.list()).toEqual([]);
  });

  it('a prepare or a completion that fails: STORE_UNAVAILABLE, no signature returned', async () => {
    const refusing = new PreparingStore({
      prepare: () => {
        throw new Error('disk gone');
      },
    });
    expect((await rejection(service(memoryProvider('ed25519-1'), refusing).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE')).message).toMatch(/disk gone/);
    const failing = new PreparingStore({ complete: () => Promise.reject(new Error('fsync failed')) });
    expect((await rejection(service(memoryProvider('ed25519-1'), failing).sign(ED.public_key_hash, hexToBytes(BLOCK)), 'STORE_UNAVAILABLE')).message).toMatch(/fsync failed/);
    expect(await failing.list()).toEqual([]);
  });

  it('a completion another signer beat answers the stored signature, as a commit does', async () => {
    const other = new MemoryWatermarkStore();
    await service(memoryProvider('ed25519-1'), other).sign(ED.public_key_hash, hexToBytes(BLOCK));
    const [winner] = await other.list();
    // this signer's read saw nothing yet: its completion finds the other's mark there
    const store = new PreparingStore({ complete: async () => ({ committed: false, stored: winner?.watermark as StoredWatermark }) });
    const result = await service(memoryProvider('ed25519-1'), store).sign(ED.public_key_hash, hexToBytes(BLOCK));
    expect(result.outcome).toBe('lost_race');
    expect(result.signature).toBe(winner?.watermark.signature);
  });
});

describe('proof of possession', () => {
  for (const v of signatureVectors.bls_proofs_of_possession) {
    it(`${v.key}: the vector proof`, async () => {
      expect(await service(memoryProvider(v.key)).proveProofOfPossession(v.public_key_hash)).toBe(v.proof);
    });
  }

  it('NOT_SUPPORTED for a non-tz4 key and for a provider without it', async () => {
    await rejection(service(memoryProvider('ed25519-1')).proveProofOfPossession(ED.public_key_hash), 'NOT_SUPPORTED');
    const bls = key('bls12_381-1');
    await rejection(service(new ScriptedProvider(memoryProvider('bls12_381-1'), { pop: false })).proveProofOfPossession(bls.public_key_hash), 'NOT_SUPPORTED');
  });
});
