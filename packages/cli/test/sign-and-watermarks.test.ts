import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

const [ED] = keyVectors();
if (ED === undefined || ED.curve !== 'ed25519') throw new Error('the first key vector should be Ed25519');
const blockVector = loadVectors<{ signatures: { key: string; request: string; bytes_hex: string; signature: string }[] }>('signatures').signatures.find(
  (vector) => vector.key === ED.name && vector.request === 'block level 5000000 round 0',
);
if (blockVector === undefined) throw new Error('no block signature vector');

let home: Awaited<ReturnType<typeof tempHome>>;
let env: Record<string, string>;
beforeEach(async () => {
  home = await tempHome();
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'sign test passphrase' };
  expect((await runTezsigner(['keys', 'import', ED.secret_key, '--name', 'baker'], { env })).code).toBe(0);
});
afterEach(() => home.remove());

describe('tezsigner sign', () => {
  test('signs a block exactly as the vector (Ed25519 is deterministic)', async () => {
    const run = await runTezsigner(['sign', ED.public_key_hash, blockVector.bytes_hex], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${blockVector.signature}\n`);
    expect(run.stderr).toContain('signed block at level 5000000 round 0');
  });

  test('applies the high watermark of the home: repeat, lower and different are handled as by the server', async () => {
    const at = (level: number, payload?: number) => tenderbakeBlock(level, 0, payload);
    const first = await runTezsigner(['sign', ED.public_key_hash, at(100)], { env });
    expect(first.code).toBe(0);
    const again = await runTezsigner(['sign', ED.public_key_hash, at(100)], { env });
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).toContain('was signed before');
    expect(oneLineError(await runTezsigner(['sign', ED.public_key_hash, at(99)], { env }))).toContain('refusing to sign level 99');
    expect(oneLineError(await runTezsigner(['sign', ED.public_key_hash, at(100, 0x42)], { env }))).toContain('refusing to sign different bytes');
    const next = await runTezsigner(['sign', ED.public_key_hash, at(101)], { env });
    expect(next.code).toBe(0);
    expect(verifySignature(at(101), ED.public_key, next.stdout.trim())).toBe(true);
  });

  test('--magic-bytes widens the allowlist; the default refuses Michelson data', async () => {
    const packed = '05010000000568656c6c6f';
    const refused = oneLineError(await runTezsigner(['sign', ED.public_key_hash, packed], { env }));
    expect(refused).toContain('0x05');
    // the refusal says how to allow it
    expect(refused).toContain('(magic bytes 0x11,0x12,0x13: add its byte to --magic-bytes, or allow it in a --policy file)');
    const allowed = await runTezsigner(['sign', ED.public_key_hash, packed, '--magic-bytes', '0x05'], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(verifySignature(packed, ED.public_key, allowed.stdout.trim())).toBe(true);
  });

  test.each([
    ['an unknown key', ['sign', 'tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt', tenderbakeBlock(1, 0)], 'no key tz1by6iTPzZBqUCxnqoN9v8GN3hk4DpZf6Wt'],
    ['odd-length hex', ['sign', 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', '117'], 'even length'],
    ['a bad magic-byte list', ['sign', 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', tenderbakeBlock(1, 0), '--magic-bytes', '0x11;0x12'], 'is not a magic byte'],
    ['an unknown magic byte', ['sign', 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si', tenderbakeBlock(1, 0), '--magic-bytes', '0x99'], 'unknown magic byte'],
    ['a missing argument', ['sign', 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si'], "missing required argument 'hex'"],
  ])('%s is a one-line error', async (_what, args, message) => {
    expect(oneLineError(await runTezsigner(args, { env }))).toContain(message);
  });

  test('a wrong passphrase is a one-line error saying where that passphrase came from and where the right one can', async () => {
    const line = oneLineError(await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(1, 0)], { env: { ...env, TEZSIGNER_PASSPHRASE: 'wrong' } }));
    expect(line).toContain('wrong passphrase');
    expect(line).toContain(`the passphrase came from $TEZSIGNER_PASSPHRASE; give the vault's with --passphrase-file FILE, $TEZSIGNER_PASSPHRASE, $TEZSIGNER_PASSPHRASE_FILE or ${join(home.path, 'passphrase')}`);
    const file = join(home.path, 'other-passphrase');
    await writeFile(file, 'wrong\n', { mode: 0o600 });
    const fromFile = oneLineError(await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(1, 0), '--passphrase-file', file], { env }));
    expect(fromFile).toContain(`the passphrase came from --passphrase-file ${file};`);
    await writeFile(join(home.path, 'passphrase'), 'wrong\n', { mode: 0o600 });
    const fromHome = oneLineError(await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(1, 0)], { env: { TEZSIGNER_HOME: home.path } }));
    expect(fromHome).toContain(`the passphrase came from ${join(home.path, 'passphrase')};`);
  });

  test('takes a key by its name as well as by its address; an unknown name is one line saying what to give', async () => {
    const run = await runTezsigner(['sign', 'baker', blockVector.bytes_hex], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${blockVector.signature}\n`);
    expect(oneLineError(await runTezsigner(['sign', 'bakr', tenderbakeBlock(1, 0)], { env }))).toBe(
      'tezsigner: error: no key is named "bakr": give its address (tz1…) or a name that `tezsigner keys list` shows',
    );
  });

  test('a file it cannot write is named, with what to do, not a raw error code', async () => {
    const line = oneLineError(await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(1, 0), '--audit-log', join(home.path, 'no-such-folder/audit.jsonl')], { env }));
    expect(line).toBe(`tezsigner: error: cannot open ${join(home.path, 'no-such-folder/audit.jsonl')}: it does not exist (check the path) [ENOENT]`);
  });

  test('--no-check-high-watermark warns as serve does', async () => {
    const run = await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(50, 0), '--no-check-high-watermark'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('warning: high watermarks are OFF (--no-check-high-watermark): nothing prevents double signing');
    expect((await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(51, 0)], { env })).stderr).not.toContain('OFF');
  });

  test('a missing passphrase says how to give it', async () => {
    const line = oneLineError(await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(1, 0)], { env: { TEZSIGNER_HOME: home.path } }));
    expect(line).toContain('TEZSIGNER_PASSPHRASE');
  });
});

describe('tezsigner watermarks show', () => {
  test('nothing signed yet', async () => {
    const run = await runTezsigner(['watermarks', 'show'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no watermarks yet');
  });

  test('shows the highest level and round per chain, key and kind', async () => {
    expect((await runTezsigner(['sign', ED.public_key_hash, tenderbakeBlock(200, 3)], { env })).code).toBe(0);
    expect((await runTezsigner(['sign', ED.public_key_hash, attestation('attestation', 199, 1)], { env })).code).toBe(0);
    const run = await runTezsigner(['watermarks', 'show'], { env });
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.trim().split('\n').map((line) => line.split(/\s+/));
    expect(rows[0]).toEqual(['chain', 'key', 'kind', 'level', 'round', 'signature']);
    expect(rows.slice(1)).toEqual([
      ['NetXdQprcVkpaWU', ED.public_key_hash, 'attestation', '199', '1', 'stored'],
      ['NetXdQprcVkpaWU', ED.public_key_hash, 'block', '200', '3', 'stored'],
    ]);
    const json = JSON.parse((await runTezsigner(['watermarks', 'show', '--json'], { env })).stdout) as unknown[];
    expect(json).toContainEqual(expect.objectContaining({ chainId: 'NetXdQprcVkpaWU', pkh: ED.public_key_hash, kind: 'block', level: 200, round: 3 }));
  });

  test('needs no passphrase, and takes no --passphrase-file it would ignore', async () => {
    expect((await runTezsigner(['watermarks', 'show'], { env: { TEZSIGNER_HOME: home.path } })).code).toBe(0);
    for (const command of [['show'], ['export']]) {
      expect(oneLineError(await runTezsigner(['watermarks', ...command, '--passphrase-file', 'x'], { env }))).toContain("unknown option '--passphrase-file'");
    }
  });

  test('says which marks have no stored signature: those imported without one', async () => {
    const file = join(home.path, 'marks.json');
    const entry = { chainId: 'NetXdQprcVkpaWU', pkh: ED.public_key_hash, kind: 'block', level: 10, round: 0, hash: 'ab'.repeat(32) };
    await writeFile(file, JSON.stringify([entry]));
    expect((await runTezsigner(['watermarks', 'import', file], { env })).code).toBe(0);
    const run = await runTezsigner(['watermarks', 'show'], { env });
    expect(run.stdout.split('\n')[1]).toMatch(/block +10 +0 +none \(imported\)$/);
    expect(run.stdout).toContain('none (imported): a mark raised by `tezsigner watermarks import` from a file without its signature');
  });

  test('a home that does not exist is an error, and is not created; import, which stores, makes it', async () => {
    const missing = join(home.path, 'mistyped');
    for (const command of [['show'], ['export']]) {
      expect(oneLineError(await runTezsigner(['watermarks', ...command, '--home', missing], { env }))).toContain(`no tezsigner home at ${missing}`);
    }
    await expect(stat(missing)).rejects.toThrow();
    const file = join(home.path, 'marks.json');
    await writeFile(file, JSON.stringify([{ chainId: 'NetXdQprcVkpaWU', pkh: ED.public_key_hash, kind: 'block', level: 10, round: 0, hash: 'ab'.repeat(32) }]));
    expect((await runTezsigner(['watermarks', 'import', file, '--home', missing], { env })).code).toBe(0);
    expect((await runTezsigner(['watermarks', 'show', '--home', missing], { env })).stdout).toContain('block');
  });
});
