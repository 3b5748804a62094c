// `tezsigner import octez` as its own process on folders laid out as octez writes them, each
// case one way the import used to read octez's files otherwise than octez does (issue 36): the
// marks it raises are then checked by real `sign` and `serve` processes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifySignature } from '@taquito/utils';
import { afterEach, describe, expect, test } from 'vitest';
import { VECTORS_DIR, keyVectors, loadVectors, type KeyVector } from '../../../test-support/vectors.js';
import { attestation, tenderbakeBlock } from '../../http-server/test/support/consensus-bytes.js';
import { errorLine, tezsignerProcess } from './support/command-process.js';
import { runTezsigner, tempHome } from './support/run-cli.js';
import { postSign, startServe } from './support/serve-child.js';

const OCTEZ = join(VECTORS_DIR, 'migration', 'octez-base-dir');
const CLIENT = join(VECTORS_DIR, 'migration', 'octez-client-base-dir');
const SIGNATORY = join(VECTORS_DIR, 'migration', 'signatory-base-dir');
const HASH = 'ab'.repeat(32);

const key = (name: string): KeyVector => {
  const found = keyVectors().find((k) => k.name === name);
  if (found === undefined) throw new Error(`no key ${name}`);
  return found;
};
const ED1 = key('ed25519-1');
const ED2 = key('ed25519-2');
const P256 = key('p256-2');
const signatures = loadVectors<{ signatures: { key: string; request: string; signature: string }[] }>('signatures').signatures;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh home (made, empty) and the environment naming it. */
async function freshHome(): Promise<{ path: string; env: Record<string, string> }> {
  const home = await tempHome();
  cleanups.push(home.remove);
  return { path: home.path, env: { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'import octez reading passphrase' } };
}

/** A folder holding `files` (name → text), and a copy of `from` first when given. */
async function octezFolder(files: Record<string, string>, from?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-octez-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  if (from !== undefined) await cp(from, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const secretKeys = (...entries: Array<[string, string]>) => JSON.stringify(entries.map(([name, value]) => ({ name, value })));

const importOctez = (dir: string, env: Record<string, string>, ...more: string[]) => tezsignerProcess(['import', 'octez', '--base-dir', dir, '--plain', ...more], env);
const sign = (pkh: string, hex: string, env: Record<string, string>) => tezsignerProcess(['sign', pkh, hex], env);
const shown = async (env: Record<string, string>) => JSON.parse((await runTezsigner(['watermarks', 'show', '--json'], { env })).stdout) as Array<{ pkh: string; kind: string; level: number; round: number }>;

describe('import octez reads its files as octez does', () => {
  test('a chain or key written twice: the higher mark is raised and named, never the lower one JSON.parse would keep', async () => {
    const block = [
      '{',
      '  "NetXdQprcVkpaWU": {',
      `    "${ED1.public_key_hash}": { "level": 5000000, "round": 0, "hash": "${HASH}" },`,
      `    "${ED1.public_key_hash}": { "level": 4000000, "round": 0, "hash": "${HASH}" }`,
      '  },',
      `  "NetXdQprcVkpaWU": { "${ED2.public_key_hash}": { "level": 4500000, "round": 3, "hash": "${HASH}" } }`,
      '}',
    ].join('\n');
    const dir = await octezFolder({
      block_high_watermarks: block,
      secret_keys: secretKeys(['one', `unencrypted:${ED1.secret_key}`], ['two', `unencrypted:${ED2.secret_key}`]),
    });
    const { env } = await freshHome();
    const run = await importOctez(dir, env);
    expect(run.code, run.stderr).toBe(0);
    const file = join(dir, 'block_high_watermarks');
    expect(run.stdout).toContain(`note: ${file}: NetXdQprcVkpaWU ${ED1.public_key_hash} is written twice (lines 3 and 4): octez reads the first; the higher is kept`);
    expect(run.stdout).toContain(`note: ${file}: chain NetXdQprcVkpaWU is written twice (lines 2 and 6)`);
    // below the first mark of the key written twice, and at the mark of the chain written again
    expect(errorLine(await sign(ED1.public_key_hash, tenderbakeBlock(4_600_000, 0), env))).toMatch(/refusing to sign level 4600000 round 0: at or below the high watermark level 5000000 round 0/);
    expect(errorLine(await sign(ED2.public_key_hash, tenderbakeBlock(4_500_000, 3), env))).toMatch(/refusing to sign/);
  }, 120_000);

  test('a mark without a round (Emmy) covers its whole level, for attestations too where octez kept endorsements', async () => {
    const dir = await octezFolder({
      block_high_watermarks: JSON.stringify({ NetXdQprcVkpaWU: { [ED1.public_key_hash]: { level: 6_000_000, hash: HASH } } }),
      endorsement_high_watermarks: JSON.stringify({ NetXdQprcVkpaWU: { [ED2.public_key_hash]: { level: 6_000_000, hash: HASH } } }),
      secret_keys: secretKeys(['one', `unencrypted:${ED1.secret_key}`], ['two', `unencrypted:${ED2.secret_key}`]),
    });
    const { env } = await freshHome();
    expect((await importOctez(dir, env)).code).toBe(0);
    expect(errorLine(await sign(ED1.public_key_hash, tenderbakeBlock(6_000_000, 1), env))).toMatch(/refusing to sign level 6000000 round 1/);
    expect(errorLine(await sign(ED2.public_key_hash, attestation('attestation', 6_000_000, 3), env))).toMatch(/refusing to sign level 6000000 round 3/);
    const next = await sign(ED1.public_key_hash, tenderbakeBlock(6_000_001, 0), env);
    expect(next.code, next.stderr).toBe(0);
    expect(verifySignature(tenderbakeBlock(6_000_001, 0), ED1.public_key, next.stdout.trim())).toBe(true);
  }, 120_000);

  test("the baker's own <chain>_highwatermarks of an octez-client base directory: named, raised, and a real sign and serve refuse below and at them", async () => {
    const { env } = await freshHome();
    const run = await importOctez(CLIENT, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`read ${join(CLIENT, 'NetXdQprcVkpa_highwatermarks')}: 6 marks of the baker on NetXdQprcVkpaWU`);
    expect(run.stdout).toContain(`read ${join(CLIENT, 'NetXnHfVqm9ie_highwatermarks')}: 2 marks of the baker on NetXnHfVqm9iesp`);
    expect(run.stdout).toContain('2 keys: 2 imported');
    expect(await shown(env)).toContainEqual(expect.objectContaining({ chainId: 'NetXnHfVqm9iesp', pkh: ED2.public_key_hash, kind: 'attestation', level: 3_000_000, round: 2 }));

    // the baker baked (5100000, 1): below it, and the very request at it, are refused; above, signed
    expect(errorLine(await sign(ED2.public_key_hash, tenderbakeBlock(5_099_999, 4), env))).toContain('at or below the high watermark level 5100000 round 1');
    expect(errorLine(await sign(ED2.public_key_hash, tenderbakeBlock(5_100_000, 1), env))).toContain('imported without the bytes signed at it');
    const above = await sign(ED2.public_key_hash, tenderbakeBlock(5_100_000, 2), env);
    expect(above.code, above.stderr).toBe(0);

    const server = await startServe(['--log-level', 'error'], env);
    cleanups.push(() => server.stop());
    const post = (pkh: string, hex: string) => postSign(server.url, pkh, hex);
    for (const [pkh, hex] of [
      [P256.public_key_hash, tenderbakeBlock(5_099_990, 0)],
      [P256.public_key_hash, tenderbakeBlock(5_099_989, 7)],
      [P256.public_key_hash, attestation('attestation', 5_100_001, 0)],
      [ED2.public_key_hash, attestation('preattestation', 5_100_000, 1)],
    ] as const) {
      expect(await post(pkh, hex), `${pkh} ${hex.slice(0, 2)}`).toMatchObject({ status: 409, error: { code: 'WATERMARK_REFUSED' } });
    }
    const next = await post(P256.public_key_hash, attestation('attestation', 5_100_001, 1));
    expect(next.status).toBe(200);
    expect(verifySignature(attestation('attestation', 5_100_001, 1), P256.public_key, next.signature ?? '')).toBe(true);
  }, 120_000);

  test('a stored signature that is not the key’s is refused, naming chain, key and kind, and nothing is imported', async () => {
    const block = JSON.parse(await readFile(join(OCTEZ, 'block_high_watermarks'), 'utf8')) as Record<string, Record<string, { signature?: string }>>;
    const mark = block['NetXdQprcVkpaWU']?.[ED1.public_key_hash];
    if (mark === undefined) throw new Error('the fixture has no mark of ed25519-1');
    // a real signature, of the same request, by another key
    mark.signature = signatures.find((s) => s.key === 'ed25519-2' && s.request === 'block level 5000000 round 0')?.signature;
    const publicKeys = JSON.stringify([{ name: 'one', value: { locator: `unencrypted:${ED1.public_key}`, key: ED1.public_key } }]);
    const dir = await octezFolder({ block_high_watermarks: JSON.stringify(block), public_keys: publicKeys }, OCTEZ);
    const { path, env } = await freshHome();
    const run = await importOctez(dir, env, '--no-keys');
    expect(errorLine(run)).toContain(`NetXdQprcVkpaWU ${ED1.public_key_hash} block at level 5000000: its stored signature is not ${ED1.public_key_hash}'s signature`);
    expect(await readdir(path)).toEqual([]);
  }, 120_000);

  test('a malformed unencrypted key is skipped by file and alias, the others imported; skipped keys end non-zero unless --allow-skipped', async () => {
    const dir = await octezFolder({ secret_keys: secretKeys(['good', `unencrypted:${ED1.secret_key}`], ['broken key', 'unencrypted:edsk3notakey']) });
    const file = join(dir, 'secret_keys');
    const { env } = await freshHome();
    const run = await importOctez(dir, env);
    expect(run.stdout).toContain(`skipped key "broken key" of ${file}: malformed unencrypted key: expected an edsk/spsk/p2sk/BLsk secret key`);
    expect(run.stdout).toContain(`imported key "good" ${ED1.public_key_hash}`);
    expect(errorLine(run)).toContain(`1 key of ${file} skipped (named above)`);
    expect(run.stdout + run.stderr).not.toContain('edsk3notakey');
    const allowed = await importOctez(dir, env, '--allow-skipped');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('2 keys: 0 imported, 1 already in the vault, 0 held elsewhere, 1 skipped');

    // an encrypted key no passphrase opens counts the same (a remote: key does not: nothing is held here)
    const skipping = await importOctez(OCTEZ, env);
    expect(skipping.stdout).toContain('11 keys: 4 imported, 0 already in the vault, 3 held elsewhere, 4 skipped');
    expect(errorLine(skipping)).toContain(`4 keys of ${join(OCTEZ, 'secret_keys')} skipped`);
  }, 120_000);

  test('--dry-run writes nothing in an existing home, not even its folders', async () => {
    const { path, env } = await freshHome();
    const run = await importOctez(CLIENT, env, '--dry-run');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing written)');
    expect(run.stdout).toContain(`would import key "baker" ${ED2.public_key_hash}`);
    expect(await readdir(path)).toEqual([]);
  }, 120_000);

  test('--dry-run into a home whose folders and key files others can open changes nothing, not even their modes, and says they are too open', async () => {
    const { path, env } = await freshHome();
    const first = await importOctez(CLIENT, env);
    expect(first.code, first.stderr).toBe(0);
    const keys = join(path, 'keys');
    const [keyFile] = await readdir(keys);
    if (keyFile === undefined) throw new Error('the import stored no key');
    // as a copy or a restore with the default umask would leave them
    for (const folder of [path, keys, join(path, 'watermarks')]) await chmod(folder, 0o755);
    await chmod(join(keys, keyFile), 0o644);
    const before = await everything(path);

    const dry = await importOctez(CLIENT, env, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('(dry run: nothing written)');
    expect(await everything(path)).toEqual(before);
    for (const folder of [path, keys, join(path, 'watermarks')]) {
      expect(dry.stderr).toContain(`tezsigner: warning: the folder ${folder} is accessible to others (mode 755); left as it is (nothing is changed here): a command that writes restricts it to 700\n`);
    }
    expect(dry.stderr).toContain(`tezsigner: warning: the key file ${join(keys, keyFile)} is accessible to others (mode 644); left as it is (nothing is changed here)`);

    // the import itself restricts them
    const again = await importOctez(CLIENT, env);
    expect(again.code, again.stderr).toBe(0);
    expect(((await stat(keys)).mode & 0o777).toString(8)).toBe('700');
    expect(((await stat(join(keys, keyFile))).mode & 0o777).toString(8)).toBe('600');
  }, 120_000);
});

/** Every entry under `root`, with what a write or a chmod would change: mode, size, times (ctime moves with a chmod), a file's bytes. */
async function everything(root: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    const content = info.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex') : '';
    found[path] = `${info.mode.toString(8)} ${info.size} ${info.mtimeMs} ${info.ctimeMs} ${content}`;
    if (info.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(root);
  return found;
}

describe('nothing an import reads hangs on a FIFO', () => {
  const mkfifo = promisify(execFile);
  const fifoIn = async (dir: string, name: string) => {
    await rm(join(dir, name), { force: true });
    await mkfifo('mkfifo', [join(dir, name)]);
    return join(dir, name);
  };

  test.each(['block_high_watermarks', 'secret_keys', 'public_keys', 'NetXdQprcVkpa_highwatermarks'])(
    'a FIFO named %s in an octez base directory is refused at once, in one line, and nothing is written',
    async (name) => {
      const dir = await octezFolder({ block_high_watermarks: await readFile(join(OCTEZ, 'block_high_watermarks'), 'utf8') }, CLIENT);
      const fifo = await fifoIn(dir, name);
      const { path, env } = await freshHome();
      const run = await tezsignerProcess(['import', 'octez', '--base-dir', dir], env, 30_000);
      expect(run.killed, 'the import hung').toBe(false);
      expect(errorLine(run)).toBe(`tezsigner: error: ${fifo} is a FIFO (named pipe), not a regular file: an import reads only regular files (nothing was imported)`);
      expect(await readdir(path)).toEqual([]);
    },
    60_000,
  );

  test('a FIFO in Signatory’s watermark folder, and a folder named like a file, are refused the same way', async () => {
    const dir = await octezFolder({}, SIGNATORY);
    const fifo = await fifoIn(join(dir, 'watermark_v2'), 'NetXdQprcVkpaWU.json');
    const { env } = await freshHome();
    const run = await tezsignerProcess(['import', 'signatory', '--watermarks', dir], env, 30_000);
    expect(run.killed, 'the import hung').toBe(false);
    expect(errorLine(run)).toContain(`${fifo} is a FIFO (named pipe), not a regular file`);
    const folder = await octezFolder({});
    await mkdir(join(folder, 'secret_keys'));
    expect(errorLine(await tezsignerProcess(['import', 'octez', '--base-dir', folder], env, 30_000))).toContain(`${join(folder, 'secret_keys')} is a folder, not a regular file`);
  }, 60_000);
});

describe('watermarks export --format octez', () => {
  test('says its files have the names of octez v23 and later, and what to rename for an older octez', async () => {
    const { path, env } = await freshHome();
    expect((await importOctez(CLIENT, env)).code).toBe(0);
    const out = join(path, 'back-to-octez');
    const run = await tezsignerProcess(['watermarks', 'export', '--format', 'octez', '--out', out], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      'these are the file names of octez-signer v23 and later; for an older octez-signer, which reads no other names and would start without these marks, rename preattestation_high_watermarks to preendorsement_high_watermarks and attestation_high_watermarks to endorsement_high_watermarks (or upgrade it first)',
    );
    expect((await readdir(out)).sort()).toEqual(['attestation_high_watermarks', 'block_high_watermarks', 'preattestation_high_watermarks']);
  }, 120_000);
});
