import { describe, expect, it } from 'vitest';
import { cryptoReport } from './crypto-report.js';

describe('the crypto startup lines', () => {
  it('say in plain words which curves run on native code and which in JavaScript, on one line', () => {
    const lines = cryptoReport({
      implementations: [
        { curve: 'ed25519', implementation: 'libsodium' },
        { curve: 'secp256k1', implementation: 'libsecp256k1' },
        { curve: 'p256', implementation: 'noble, a table per key (window 8)' },
        { curve: 'bls12_381', implementation: 'blst' },
      ],
      forced: false,
    });
    expect(lines).toEqual(['crypto: ed25519, secp256k1 and bls12_381 on native code; p256 in JavaScript']);
  });

  it('warn once of each fallback with its reason, and say when noble is forced or the switch ignored', () => {
    expect(
      cryptoReport({
        implementations: [
          { curve: 'ed25519', implementation: 'node:crypto' },
          { curve: 'p256', implementation: 'noble, a table per key (window 8)', fallback: 'bcrypto/lib/native/p256.js did not load' },
          { curve: 'bls12_381', implementation: 'noble', fallback: '@chainsafe/blst did not load: no prebuilt binary' },
        ],
        forced: false,
        warning: 'TEZSIGNER_CRYPTO=fast is neither native nor noble: ignored',
      }),
    ).toEqual([
      'crypto: ed25519 on native code; p256 and bls12_381 in JavaScript',
      'warning: p256 runs in JavaScript, several times slower (same signatures): bcrypto/lib/native/p256.js did not load',
      'warning: bls12_381 runs in JavaScript, several times slower (same signatures): @chainsafe/blst did not load: no prebuilt binary',
      'warning: TEZSIGNER_CRYPTO=fast is neither native nor noble: ignored',
    ]);
    expect(cryptoReport({ implementations: [{ curve: 'p256', implementation: 'noble' }], forced: true })).toEqual(['crypto: p256 in JavaScript (TEZSIGNER_CRYPTO=noble)']);
    // a native implementation in place of a faster native one: no JavaScript in the words
    expect(cryptoReport({ implementations: [{ curve: 'ed25519', implementation: 'node:crypto', fallback: 'sodium-native did not load' }], forced: false })).toEqual([
      'crypto: ed25519 on native code',
      'warning: ed25519 runs on node:crypto, slower (same signatures): sodium-native did not load',
    ]);
  });
});
