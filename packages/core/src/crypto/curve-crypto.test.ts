import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { importedOnce, requireNative, selfTested, type CurveCrypto } from './curve-crypto.js';
import { nobleSecp256k1 } from './secp256k1.js';

describe('loading a native module', () => {
  it('gives its exports when it loads', () => {
    const loaded = requireNative<{ ecdsaSign: unknown }>('secp256k1/bindings');
    expect('module' in loaded && typeof loaded.module.ecdsaSign).toBe('function');
  });

  it('says why when it does not (as with no prebuilt binary for the platform)', () => {
    const loaded = requireNative('@tezsigner/no-such-native-module');
    expect('unavailable' in loaded && loaded.unavailable).toMatch(/^@tezsigner\/no-such-native-module did not load: Cannot find module/);
  });
});

describe('the self-test a native implementation passes before it is trusted', () => {
  // a known answer: noble's signature with the key 32 × 0x01 of the digest 32 × 0x02
  const secretKey = new Uint8Array(32).fill(1);
  const message = new Uint8Array(32).fill(2);
  const known = { secretKey, publicKey: secp256k1.getPublicKey(secretKey, true), message, signature: nobleSecp256k1.sign(secretKey, message) };

  it('passes an implementation that signs the known bytes, verifies them and refuses them spoiled', () => {
    expect(selfTested(nobleSecp256k1, known)).toEqual({ crypto: nobleSecp256k1 });
  });

  it('refuses one that signs other bytes, accepts anything, or throws, saying which', () => {
    const wrongSignature: CurveCrypto = { ...nobleSecp256k1, implementation: 'wrong', sign: () => new Uint8Array(64) };
    expect(selfTested(wrongSignature, known)).toEqual({ unavailable: 'wrong gave a wrong answer to its self-test' });
    const acceptsAll: CurveCrypto = { ...nobleSecp256k1, implementation: 'lenient', verifier: () => () => true };
    expect(selfTested(acceptsAll, known)).toEqual({ unavailable: 'lenient gave a wrong answer to its self-test' });
    const throws: CurveCrypto = {
      ...nobleSecp256k1,
      implementation: 'broken',
      verifier: () => {
        throw new Error('no such curve');
      },
    };
    expect(selfTested(throws, known)).toEqual({ unavailable: 'broken failed its self-test: no such curve' });
  });
});

describe('keys imported once', () => {
  it('imports a key array once, and again when its bytes change in place', () => {
    const made: string[] = [];
    const imported = importedOnce((bytes) => {
      made.push(bytes.join(','));
      return { bytes: bytes.join(',') };
    });
    const key = Uint8Array.of(1, 2, 3);
    const first = imported(key);
    expect(imported(key)).toBe(first);
    key[0] = 9;
    expect(imported(key)).toEqual({ bytes: '9,2,3' });
    expect(imported(Uint8Array.of(9, 2, 3))).toEqual({ bytes: '9,2,3' });
    expect(made).toEqual(['1,2,3', '9,2,3', '9,2,3']);
  });
});
