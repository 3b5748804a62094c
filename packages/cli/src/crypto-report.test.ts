import { describe, expect, it } from 'vitest';
import { cryptoReport } from './crypto-report.js';

describe('the crypto startup lines', () => {
  it('name each curve’s implementation on one line', () => {
    const lines = cryptoReport({
      implementations: [
        { curve: 'ed25519', implementation: 'node:crypto' },
        { curve: 'secp256k1', implementation: 'libsecp256k1' },
        { curve: 'p256', implementation: 'noble, a table per key (window 8)' },
        { curve: 'bls12_381', implementation: 'blst' },
      ],
      forced: false,
    });
    expect(lines).toEqual(['crypto: ed25519 node:crypto, secp256k1 libsecp256k1, p256 noble, a table per key (window 8), bls12_381 blst']);
  });

  it('warn once of each fallback with its reason, and say when noble is forced or the switch ignored', () => {
    expect(
      cryptoReport({
        implementations: [
          { curve: 'ed25519', implementation: 'node:crypto' },
          { curve: 'bls12_381', implementation: 'noble', fallback: '@chainsafe/blst did not load: no prebuilt binary' },
        ],
        forced: false,
        warning: 'TEZSIGNER_CRYPTO=fast is neither native nor noble: ignored',
      }),
    ).toEqual([
      'crypto: ed25519 node:crypto, bls12_381 noble',
      'warning: bls12_381 runs on noble (pure JS, several times slower): @chainsafe/blst did not load: no prebuilt binary',
      'warning: TEZSIGNER_CRYPTO=fast is neither native nor noble: ignored',
    ]);
    expect(cryptoReport({ implementations: [{ curve: 'p256', implementation: 'noble' }], forced: true })).toEqual(['crypto: p256 noble (TEZSIGNER_CRYPTO=noble)']);
  });
});
