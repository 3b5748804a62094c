import { copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { VECTORS_DIR, keyVectors, loadVectors } from '../../../test-support/vectors.js';
import { tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { homePerTest, oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

// fixtures of octez's and Signatory's own formats: see test-vectors/README.md
const OCTEZ = join(VECTORS_DIR, 'migration', 'octez-base-dir');
const OCTEZ_LEGACY = join(VECTORS_DIR, 'migration', 'octez-legacy-base-dir');
const OCTEZ_PASSWORDS = join(VECTORS_DIR, 'migration', 'octez-passwords');
const SIGNATORY = join(VECTORS_DIR, 'migration', 'signatory-base-dir');
const PASSPHRASE = 'vault passphrase for tests';

interface SignatureVector {
  key: string;
  public_key_hash: string;
  request: string;
  bytes_hex: string;
  signature: string;
}
const signatures = loadVectors<{ signatures: SignatureVector[] }>('signatures').signatures;
const signed = (key: string, request: string) => {
  const vector = signatures.find((s) => s.key === key && s.request === request);
  if (vector === undefined) throw new Error(`no signature of ${request} by ${key}`);
  return vector;
};
const pkhOf = (name: string) => keyVectors().find((k) => k.name === name)?.public_key_hash ?? '';

interface ShownMark {
  chainId: string;
  pkh: string;
  kind: string;
  level: number;
  round: number;
  hash: string;
  signature?: string;
}

const home = homePerTest(PASSPHRASE);

/** octez's mark as imported: a tz4 signature, which cannot be checked from octez's hash, is not kept */
const withoutTz4Signature = (pkh: string, mark: object): object => {
  if (!pkh.startsWith('tz4')) return mark;
  const { signature: _dropped, ...rest } = mark as { signature?: string };
  return rest;
};

const shown = async (): Promise<ShownMark[]> => {
  const run = await runTezsigner(['watermarks', 'show', '--json'], { env: home.env });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ShownMark[];
};
const importOctez = (dir: string, ...more: string[]) => runTezsigner(['import', 'octez', '--base-dir', dir, '--key-passphrase-file', OCTEZ_PASSWORDS, ...more], { env: home.env });

describe('import octez', () => {
  test('imports every key it holds, skips the others by name, raises the marks, and a second import changes nothing', async () => {
    const run = await importOctez(OCTEZ);
    expect(run.code, run.stderr).toBe(0);
    for (const curve of ['ed25519', 'secp256k1', 'p256', 'bls12_381']) {
      expect(run.stdout).toContain(`imported key "${curve}_encrypted" ${pkhOf(`${curve}-1`)} (${curve}) as "${curve}_encrypted"`);
      expect(run.stdout).toContain(`imported key "${curve} plain" ${pkhOf(`${curve}-2`)} (${curve}) as "${curve}_plain"`);
    }
    expect(run.stdout).toContain('left    key "on_remote": a remote signer holds it');
    expect(run.stdout).toContain('left    key "ledger_baker": a ledger URI holds it');
    expect(run.stdout).toContain('left    key "http_signer": a http URI holds it');
    expect(run.stdout).toContain('11 keys: 8 imported, 0 already in the vault, 3 held elsewhere, 0 skipped');
    // a tz4 signature is of the bytes, which octez does not keep: it cannot be checked, so it is not kept
    expect(run.stdout).toContain(`NetXdQprcVkpaWU ${pkhOf('bls12_381-2')} block at level 5000000: its stored signature is not kept (a tz4 signature is of the bytes`);
    // 10 block marks (8 mainnet, 2 ghostnet), 7 preattestation, 6 attestation
    expect(run.stdout).toContain('23 entries: 23 raised, 0 kept');
    expect(run.stdout + run.stderr).not.toMatch(/(edsk|spsk|p2sk|BLsk|edesk|spesk|p2esk|BLesk)[1-9A-Za-z]{20,}/);

    const marks = await shown();
    expect(marks).toHaveLength(23);
    const block = JSON.parse(await readFile(join(OCTEZ, 'block_high_watermarks'), 'utf8')) as Record<string, Record<string, object>>;
    for (const [chainId, keys] of Object.entries(block)) {
      for (const [pkh, mark] of Object.entries(keys)) expect(marks).toContainEqual({ chainId, pkh, kind: 'block', ...withoutTz4Signature(pkh, mark) });
    }

    const again = await importOctez(OCTEZ);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('23 entries: 0 raised, 23 kept');
    expect(again.stdout).toContain('11 keys: 0 imported, 8 already in the vault, 3 held elsewhere, 0 skipped');
    expect(await shown()).toEqual(marks);
  });

  test('after the import, the same request gets octez’s signature (tz1–tz3; tz4’s is refused), and anything at or below a mark is refused', async () => {
    // --plain: each sign below opens the vault, and encrypted keys would cost PBKDF2 each time
    expect((await importOctez(OCTEZ, '--plain')).code).toBe(0);
    for (const key of ['ed25519-1', 'secp256k1-2', 'p256-1', 'bls12_381-2']) {
      const vector = signed(key, 'block level 5000000 round 0');
      const repeat = await runTezsigner(['sign', vector.public_key_hash, vector.bytes_hex], { env: home.env });
      if (key.startsWith('bls12_381')) {
        expect(oneLineError(repeat)).toContain('marked without a stored signature');
      } else {
        expect(repeat.code, repeat.stderr).toBe(0);
        expect(repeat.stdout.trim()).toBe(vector.signature);
        expect(repeat.stderr).toContain('signed before');
      }
      // other bytes at the same level and round, and a lower level, are refused
      for (const bytes of [tenderbakeBlock(5_000_000, 0, 0xee), tenderbakeBlock(4_999_999, 5)]) {
        expect(oneLineError(await runTezsigner(['sign', vector.public_key_hash, bytes], { env: home.env }))).toMatch(/refusing to sign/);
      }
    }
    const attestation = signed('p256-2', 'attestation');
    expect((await runTezsigner(['sign', attestation.public_key_hash, attestation.bytes_hex], { env: home.env })).stdout.trim()).toBe(attestation.signature);
    const higher = await runTezsigner(['sign', pkhOf('ed25519-1'), tenderbakeBlock(5_000_001, 0)], { env: home.env });
    expect(higher.code, higher.stderr).toBe(0);
  });

  test('reads the names before octez v23 (preendorsement, endorsement) and an Emmy mark without a round, as its whole level', async () => {
    const run = await importOctez(OCTEZ_LEGACY);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('no secret_keys file');
    expect(run.stdout).toContain(`raised  NetXdQprcVkpaWU ${pkhOf('secp256k1-1')} attestation to level 1500000, every round`);
    const byKind = Object.fromEntries((await shown()).map((m) => [`${m.pkh} ${m.kind}`, [m.level, m.round]]));
    expect(byKind).toEqual({
      [`${pkhOf('ed25519-1')} block`]: [4_000_000, 1],
      [`${pkhOf('ed25519-1')} preattestation`]: [4_000_001, 0],
      [`${pkhOf('ed25519-1')} attestation`]: [4_000_002, 2],
      // octez kept Emmy endorsements and attestations in one file: the mark covers both
      [`${pkhOf('secp256k1-1')} attestation`]: [1_500_000, 2 ** 31 - 1],
      [`${pkhOf('secp256k1-1')} legacy_endorsement`]: [1_500_000, 2 ** 31 - 1],
    });
  });

  test('--dry-run prints what it would do and writes nothing', async () => {
    const run = await importOctez(OCTEZ, '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('23 entries: 23 would be raised, 0 kept, in the file store (dry run: nothing written)');
    expect(run.stdout).toContain(`would import key "p256 plain" ${pkhOf('p256-2')} (p256)`);
    expect(run.stdout).toContain('11 keys: 8 would be imported, 0 already in the vault, 3 held elsewhere, 0 skipped');
    expect(await shown()).toEqual([]);
    expect((await runTezsigner(['keys', 'list'], { env: home.env })).stdout).toContain('no keys');
  });

  test('an encrypted key no passphrase opens is skipped, not guessed, and the command ends non-zero unless --allow-skipped; on a terminal its passphrase is asked', async () => {
    const noPasswords = await runTezsigner(['import', 'octez', '--base-dir', OCTEZ], { env: home.env });
    expect(oneLineError(noPasswords)).toContain(`4 keys of ${join(OCTEZ, 'secret_keys')} skipped (named above)`);
    expect(noPasswords.stdout).toContain(`skipped key "ed25519_encrypted" of ${join(OCTEZ, 'secret_keys')}: encrypted: give its passphrase with --key-passphrase-file`);
    expect(noPasswords.stdout).toContain('11 keys: 4 imported, 0 already in the vault, 3 held elsewhere, 4 skipped');
    const allowed = await runTezsigner(['import', 'octez', '--base-dir', OCTEZ, '--allow-skipped'], { env: home.env });
    expect(allowed.code, allowed.stderr).toBe(0);
    const typed = await runTezsigner(['import', 'octez', '--base-dir', OCTEZ], { env: home.env, typed: ['correct horse ed25519', 'not it', 'not it', 'not it'] });
    expect(typed.asked[0]).toContain('"ed25519_encrypted"');
    expect(typed.stdout).toContain(`imported key "ed25519_encrypted" ${pkhOf('ed25519-1')}`);
    expect(typed.stdout).toContain(`skipped key "secp256k1_encrypted" of ${join(OCTEZ, 'secret_keys')}: wrong passphrase`);
  });

  test('a dry run before the home exists says what would happen and makes no home', async () => {
    const fresh = join(home.path, 'not-yet');
    const run = await runTezsigner(['import', 'octez', '--base-dir', OCTEZ, '--key-passphrase-file', OCTEZ_PASSWORDS, '--dry-run'], {
      env: { ...home.env, TEZSIGNER_HOME: fresh },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('23 entries: 23 would be raised, 0 kept, in the file store (dry run: nothing written)');
    expect(run.stdout).toContain('11 keys: 8 would be imported, 0 already in the vault, 3 held elsewhere, 0 skipped');
    await expect(stat(fresh)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('--no-keys raises the marks and leaves the vault alone', async () => {
    const run = await importOctez(OCTEZ, '--no-keys');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('23 entries: 23 raised, 0 kept');
    expect(run.stdout).toContain('keys not imported (--no-keys)');
    expect((await runTezsigner(['keys', 'list'], { env: home.env })).stdout).toContain('no keys');
  });

  test('a folder that is no octez base directory is refused', async () => {
    expect(oneLineError(await runTezsigner(['import', 'octez', '--base-dir', SIGNATORY], { env: home.env }))).toContain('neither secret_keys nor');
  });
});

describe('watermarks export --format octez', () => {
  test('writes octez-signer’s files, which import back to the same marks; an existing file is never overwritten', async () => {
    expect((await importOctez(OCTEZ)).code).toBe(0);
    const out = join(home.path, 'back-to-octez');
    const run = await runTezsigner(['watermarks', 'export', '--format', 'octez', '--out', out], { env: home.env });
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['block_high_watermarks', 'preattestation_high_watermarks', 'attestation_high_watermarks']) {
      const octez = JSON.parse(await readFile(join(OCTEZ, file), 'utf8')) as Record<string, Record<string, object>>;
      const expected = Object.fromEntries(Object.entries(octez).map(([chain, keys]) => [chain, Object.fromEntries(Object.entries(keys).map(([pkh, mark]) => [pkh, withoutTz4Signature(pkh, mark)]))]));
      expect(JSON.parse(await readFile(join(out, file), 'utf8'))).toEqual(expected);
    }
    const marks = await shown();
    const other = await tempHome();
    try {
      const otherEnv = { ...home.env, TEZSIGNER_HOME: other.path };
      // octez's base directory holds its keys beside the marks: the signatures are checked with them, and kept
      await copyFile(join(OCTEZ, 'secret_keys'), join(out, 'secret_keys'));
      const back = await runTezsigner(['import', 'octez', '--base-dir', out, '--key-passphrase-file', OCTEZ_PASSWORDS, '--plain'], { env: otherEnv });
      expect(back.code, back.stderr).toBe(0);
      expect(JSON.parse((await runTezsigner(['watermarks', 'show', '--json'], { env: otherEnv })).stdout)).toEqual(marks);
    } finally {
      await other.remove();
    }
    expect(oneLineError(await runTezsigner(['watermarks', 'export', '--format', 'octez', '--out', out], { env: home.env }))).toContain('never overwritten');
  });
});

describe('import signatory', () => {
  test('raises the marks of watermark_v2/<chain>.json; without a stored signature, even the same request is refused', async () => {
    const run = await runTezsigner(['import', 'signatory', '--watermarks', SIGNATORY], { env: home.env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('7 entries: 7 raised, 0 kept');
    const marks = await shown();
    const vector = signed('ed25519-1', 'block level 5000000 round 2 with locked round 1');
    expect(marks).toContainEqual(expect.objectContaining({ chainId: 'NetXdQprcVkpaWU', pkh: vector.public_key_hash, kind: 'block', level: 5_000_000, round: 2 }));
    expect(marks).toContainEqual(expect.objectContaining({ chainId: 'NetXnHfVqm9iesp', pkh: pkhOf('secp256k1-2'), kind: 'attestation', level: 1_999_999, round: 0 }));
    expect(marks.every((m) => m.signature === undefined)).toBe(true);

    const keys = keyVectors().find((k) => k.name === 'ed25519-1');
    expect((await runTezsigner(['keys', 'import', '--name', 'baker'], { env: home.env, stdin: keys?.secret_key })).code).toBe(0);
    expect(oneLineError(await runTezsigner(['sign', vector.public_key_hash, vector.bytes_hex], { env: home.env }))).toContain('without a stored signature');
    expect(oneLineError(await runTezsigner(['sign', vector.public_key_hash, tenderbakeBlock(5_000_000, 1)], { env: home.env }))).toMatch(/refusing to sign/);
    expect((await runTezsigner(['import', 'signatory', '--watermarks', join(SIGNATORY, 'watermark_v2')], { env: home.env })).stdout).toContain('7 entries: 0 raised, 7 kept');
  });
});
