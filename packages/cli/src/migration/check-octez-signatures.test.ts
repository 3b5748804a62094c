import { decodePublicKey } from '@tezsigner/core';
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../../test-support/errors.js';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import { checkOctezSignatures } from './check-octez-signatures.js';
import { parseOctezPublicKeys, type PublicKey } from './octez-public-keys.js';
import type { OctezMark } from './octez-watermark-files.js';

interface SignatureVector {
  key: string;
  request: string;
  blake2b_256_hex: string;
  signature: string;
}
const signatures = loadVectors<{ signatures: SignatureVector[] }>('signatures').signatures;
const keys = keyVectors();
const vector = (key: string) => {
  const found = signatures.find((s) => s.key === key && s.request === 'block level 5000000 round 0');
  if (found === undefined) throw new Error(`no block signature of ${key}`);
  return found;
};
const pkhOf = (name: string) => keys.find((k) => k.name === name)?.public_key_hash ?? '';
const publicKeyOf = (name: string): PublicKey => decodePublicKey(keys.find((k) => k.name === name)?.public_key ?? '');
const markOf = (name: string, signature = vector(name).signature): OctezMark => ({
  file: 'block_high_watermarks',
  key: { chainId: 'NetXdQprcVkpaWU', pkh: pkhOf(name), kind: 'block' },
  mark: { level: 5_000_000, round: 0, hash: vector(name).blake2b_256_hex, signature },
  wholeLevel: false,
});

describe('the signatures octez stored', () => {
  it('are kept when they are the key’s signature of the hash beside them (tz1, tz2, tz3)', () => {
    const names = ['ed25519-1', 'secp256k1-2', 'p256-1'];
    const marks = names.map((name) => markOf(name));
    const checked = checkOctezSignatures(marks, new Map(names.map((name) => [pkhOf(name), publicKeyOf(name)])));
    expect(checked).toEqual({ marks, notes: [] });
  });

  it('refuse the import when one is another key’s, naming file, chain, key and kind', () => {
    const forged = markOf('ed25519-1', vector('ed25519-2').signature);
    const message = thrownMessage('BAD_REQUEST', () => checkOctezSignatures([forged], new Map([[pkhOf('ed25519-1'), publicKeyOf('ed25519-1')]])));
    expect(message).toBe(
      `block_high_watermarks: NetXdQprcVkpaWU ${pkhOf('ed25519-1')} block at level 5000000: its stored signature is not ${pkhOf('ed25519-1')}'s signature of the hash beside it: nothing imported (is the file damaged?)`,
    );
    // a signature of another curve is no signature of this key either
    const otherCurve = markOf('ed25519-1', vector('p256-1').signature);
    expect(() => checkOctezSignatures([otherCurve], new Map([[pkhOf('ed25519-1'), publicKeyOf('ed25519-1')]]))).toThrow(/is not/);
  });

  it('are dropped, the mark kept, when they cannot be checked: tz4, or no public key at hand', () => {
    const tz4 = markOf('bls12_381-2');
    const unknown = markOf('ed25519-2');
    const { marks, notes } = checkOctezSignatures([tz4, unknown], new Map([[pkhOf('bls12_381-2'), publicKeyOf('bls12_381-2')]]));
    expect(marks.map((m) => m.mark.signature)).toEqual([undefined, undefined]);
    expect(marks.map((m) => m.mark.hash)).toEqual([tz4.mark.hash, unknown.mark.hash]);
    expect(notes[0]).toContain('a tz4 signature is of the bytes, which octez does not keep');
    expect(notes[1]).toContain(`no public key of ${pkhOf('ed25519-2')} in secret_keys or public_keys`);
  });
});

describe("octez's public_keys", () => {
  it('gives each key it holds by address, from {locator, key} or an unencrypted: locator, and nothing for the others', () => {
    const ed = keys.find((k) => k.name === 'ed25519-1');
    const p2 = keys.find((k) => k.name === 'p256-2');
    const text = JSON.stringify([
      { name: 'full', value: { locator: `unencrypted:${ed?.public_key}`, key: ed?.public_key } },
      { name: 'older', value: `unencrypted:${p2?.public_key}` },
      { name: 'remote', value: `remote:${pkhOf('secp256k1-1')}` },
      { name: 'odd', value: { locator: 'ledger://x', key: 'edpkNotAKey' } },
    ]);
    const found = parseOctezPublicKeys(text, 'public_keys');
    expect([...found.keys()]).toEqual([pkhOf('ed25519-1'), pkhOf('p256-2')]);
    expect(found.get(pkhOf('p256-2'))).toEqual(publicKeyOf('p256-2'));
    expect(() => parseOctezPublicKeys('{}', 'public_keys')).toThrow('public_keys: not a list of {name, value}');
  });
});
