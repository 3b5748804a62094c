import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { verifySignature } from '@taquito/utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FileWatermarkStore } from '@tezsigner/local-adapter';
import { PostgresWatermarkStore } from '@tezsigner/postgres-adapter';
import type { WatermarkEntry, WatermarkKey } from '@tezsigner/core';
import { startPostgres, type PostgresCluster } from '../../../postgres-adapter/test/support/postgres-cluster.js';
import { attestation } from '../../../http-server/test/support/consensus-bytes.js';
import { keyVectors } from '../../../../test-support/vectors.js';
import { oneLineError, runTezsigner, tempHome } from '../support/run-cli.js';

/**
 * `--watermark-store postgres` on every command that takes a store: `sign`, `watermarks show`,
 * `export` and `import`, `config show` and `config check`, and `serve`'s start-up checks, against
 * a throwaway PostgreSQL. The URL holds the password: it is never printed.
 */
const KEY = keyVectors().find((k) => k.curve === 'ed25519')!;
const CHAIN = 'NetXdQprcVkpaWU';
const at = (kind: WatermarkKey['kind']): WatermarkKey => ({ chainId: CHAIN, pkh: KEY.public_key_hash, kind });
const hash = (n: number) => n.toString(16).padStart(64, '0');
const byKind = (entries: readonly WatermarkEntry[]) => Object.fromEntries(entries.map((e) => [e.key.kind, e.watermark]));

let cluster: PostgresCluster;
let url: string;
beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase('cli');
});
afterAll(async () => {
  await cluster?.remove();
});

let home: Awaited<ReturnType<typeof tempHome>>;
let schemas = 0;
let schema: string;
let env: Record<string, string>;
const opened: PostgresWatermarkStore[] = [];
beforeEach(async () => {
  home = await tempHome();
  schema = `cli${++schemas}`;
  env = { TEZSIGNER_HOME: home.path, TEZSIGNER_PASSPHRASE: 'postgres cli passphrase', TEZSIGNER_POSTGRES_URL: url };
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await home.remove();
});
const storeArgs = () => ['--watermark-store', 'postgres', '--postgres-schema', schema];
const database = () => {
  const s = new PostgresWatermarkStore({ url, schema });
  opened.push(s);
  return s;
};
const noPassword = (...outputs: string[]) => {
  for (const output of outputs) expect(output).not.toContain(cluster.password);
};

describe('tezsigner with --watermark-store postgres', () => {
  test('sign: signs through the database, repeats the same signature, refuses other bytes there', async () => {
    expect((await runTezsigner(['keys', 'import', KEY.secret_key, '--name', 'baker'], { env })).code).toBe(0);
    const bytes = attestation('attestation', 1_000, 0, { payload: 1 });
    const first = await runTezsigner(['sign', 'baker', bytes, ...storeArgs()], { env });
    expect(first.code, first.stderr).toBe(0);
    const signature = first.stdout.trim();
    expect(verifySignature(bytes, KEY.public_key, signature)).toBe(true);
    expect(byKind(await database().list())['attestation']).toMatchObject({ level: 1_000, round: 0, signature });
    const again = await runTezsigner(['sign', 'baker', bytes, ...storeArgs()], { env });
    expect(again.stdout.trim()).toBe(signature);
    expect(again.stderr).toContain('was signed before: the same signature again');
    const other = await runTezsigner(['sign', 'baker', attestation('attestation', 1_000, 0, { payload: 2 }), ...storeArgs()], { env });
    expect(oneLineError(other)).toMatch(/refusing to sign different bytes at level 1000 round 0/);
    noPassword(first.stderr, again.stderr, other.stderr);
  });

  test('watermarks export, import and show move marks between the file store and the database, raising only', async () => {
    const file = await FileWatermarkStore.open({ home: home.path });
    await file.commit(at('block'), { level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' });
    await file.importEntries([{ key: at('preattestation'), watermark: { level: 90, round: 0, hash: hash(3) } }]);
    await file.commit(at('attestation'), { level: 90, round: 0, hash: hash(2), signature: 'edsigAttestation90' });
    await file.close();
    await database().commit(at('attestation'), { level: 95, round: 2, hash: hash(4), signature: 'edsigAttestation95' });

    const out = join(home.path, 'marks.json');
    expect((await runTezsigner(['watermarks', 'export', '--out', out], { env })).code).toBe(0);
    const imported = await runTezsigner(['watermarks', 'import', out, ...storeArgs()], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`kept    ${CHAIN} ${KEY.public_key_hash} attestation at level 95 round 2 (import has level 90 round 0; never lowered)`);
    expect(imported.stdout).toContain('3 entries: 2 raised, 1 kept, into the postgres store');
    expect(byKind(await database().list())).toEqual({
      block: { level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' },
      attestation: { level: 95, round: 2, hash: hash(4), signature: 'edsigAttestation95' },
      preattestation: { level: 90, round: 0, hash: hash(3) },
    });

    const shown = await runTezsigner(['watermarks', 'show', ...storeArgs()], { env });
    expect(shown.stdout).toMatch(new RegExp(`${CHAIN}\\s+${KEY.public_key_hash}\\s+block\\s+100\\s+1\\s+stored`));
    expect(shown.stdout).toMatch(new RegExp(`${CHAIN}\\s+${KEY.public_key_hash}\\s+preattestation\\s+90\\s+0\\s+none \\(imported\\)`));
    const exported = await runTezsigner(['watermarks', 'export', ...storeArgs()], { env });
    expect(JSON.parse(exported.stdout)).toMatchObject({ format: 'tezsigner-watermarks', store: 'postgres' });
    const back = join(home.path, 'back.json');
    await writeFile(back, exported.stdout);
    const other = await tempHome();
    try {
      const intoFile = await runTezsigner(['watermarks', 'import', back], { env: { ...env, TEZSIGNER_HOME: other.path } });
      expect(intoFile.stdout).toContain('3 entries: 3 raised, 0 kept, into the file store');
    } finally {
      await other.remove();
    }
    noPassword(imported.stdout, imported.stderr, shown.stdout, exported.stdout, exported.stderr, await readFile(out, 'utf8'));
  });

  test('says what is missing or wrong in one line, never the URL', async () => {
    const missing = await runTezsigner(['watermarks', 'show', '--watermark-store', 'postgres'], { env: { TEZSIGNER_HOME: home.path } });
    expect(oneLineError(missing)).toMatch(/the postgres watermark store needs a URL: set \$TEZSIGNER_POSTGRES_URL \(or --postgres-url\)/);
    const wrong = url.replace(cluster.password, 'wrong-password-123');
    const refused = await runTezsigner(['watermarks', 'show', ...storeArgs(), '--postgres-url', wrong], { env });
    expect(refused.stderr).toMatch(/warning: the watermarks table in PostgreSQL 127\.0\.0\.1:\d+\/cli \(schema cli\d+\) failed: the password was refused \[28P01\]/);
    expect(oneLineError(refused)).toMatch(/the password was refused/);
    expect(refused.stderr).not.toContain('wrong-password-123');
    const plain = await runTezsigner(['watermarks', 'show', '--watermark-store', 'postgres', '--postgres-url', `postgres://baker:${cluster.password}@db.example.com/marks`], { env });
    expect(oneLineError(plain)).toMatch(/reaches db\.example\.com without TLS/);
    noPassword(missing.stderr, refused.stderr, plain.stderr);
  });

  test('serve refuses a database whose commits are not durable, naming the setting', async () => {
    await cluster.createDatabase(`lax${schemas}`);
    await cluster.query(`ALTER DATABASE lax${schemas} SET synchronous_commit = local`);
    expect((await runTezsigner(['keys', 'import', KEY.secret_key, '--name', 'baker'], { env })).code).toBe(0);
    const run = await runTezsigner(['serve', '--port', '0', '--no-metrics', ...storeArgs()], { env: { ...env, TEZSIGNER_POSTGRES_URL: cluster.url(`lax${schemas}`) } });
    expect(oneLineError(run)).toMatch(/has synchronous_commit = local: .* set synchronous_commit = on/);
    noPassword(run.stderr, run.stdout);
  });

  test('config show masks the URL from the file, a flag or the environment; config check takes the postgres settings', async () => {
    const config = join(home.path, 'tezsigner.yaml');
    await writeFile(config, `watermark-store: postgres\npostgres: { url: "${url}", schema: ha }\n`);
    const fromFile = await runTezsigner(['config', 'show', '--config', config], { env: { TEZSIGNER_HOME: home.path } });
    expect(fromFile.stdout).toMatch(/^postgres\.url: +\*{8} +\(file\)$/m);
    expect(fromFile.stdout).toMatch(/^postgres\.schema: +ha +\(file\)$/m);
    expect(fromFile.stdout).toMatch(/^watermark-store: +postgres +\(file\)$/m);
    const fromFlag = await runTezsigner(['config', 'show', '--postgres-url', url], { env: { TEZSIGNER_HOME: home.path } });
    expect(fromFlag.stdout).toMatch(/^postgres\.url: +\*{8} +\(flag --postgres-url\)$/m);
    expect(fromFlag.stdout).toMatch(/^postgres\.schema: +tezsigner +\(default\)$/m);
    const fromEnv = await runTezsigner(['config', 'show'], { env });
    expect(fromEnv.stdout).toMatch(/^postgres\.url: +\*{8} +\(env TEZSIGNER_POSTGRES_URL\)$/m);
    const checked = await runTezsigner(['config', 'check', config], { env: { TEZSIGNER_HOME: home.path } });
    expect(checked.stdout).toContain('valid');
    // the URL is read as serve reads it, without connecting
    const plain = join(home.path, 'plain.yaml');
    await writeFile(plain, `watermark-store: postgres\npostgres: { url: "postgres://baker:${cluster.password}@db.example.com/marks" }\n`);
    const refused = await runTezsigner(['config', 'check', plain], { env: { TEZSIGNER_HOME: home.path } });
    expect(oneLineError(refused)).toMatch(/reaches db\.example\.com without TLS/);
    noPassword(refused.stderr);
    noPassword(fromFile.stdout, fromFlag.stdout, fromEnv.stdout, checked.stdout);
  });
});
