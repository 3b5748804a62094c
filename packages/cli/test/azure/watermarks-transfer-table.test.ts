import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { TableWatermarkStore } from '@tezsigner/azure-adapter';
import { FileWatermarkStore } from '@tezsigner/local-adapter';
import { checkWatermark } from '@tezsigner/core';
import type { WatermarkEntry, WatermarkKey } from '@tezsigner/core';
import { startAzurite } from '../../../azure-adapter/test/support/azurite.js';
import type { Azurite } from '../../../azure-adapter/test/support/azurite.js';
import { VECTORS_DIR } from '../../../../test-support/vectors.js';
import { oneLineError, runTezsigner, tempHome } from '../support/run-cli.js';

const CHAIN = 'NetXdQprcVkpaWU';
const PKH = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const at = (kind: WatermarkKey['kind']): WatermarkKey => ({ chainId: CHAIN, pkh: PKH, kind });
const hash = (n: number) => n.toString(16).padStart(64, '0');

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

let home: Awaited<ReturnType<typeof tempHome>>;
let tables = 0;
let tableName: string;
let env: Record<string, string>;
beforeEach(async () => {
  home = await tempHome();
  tableName = `cli${process.pid}x${++tables}`;
  env = { TEZSIGNER_HOME: home.path, AZURE_TABLE_CONNECTION_STRING: azurite.connectionString };
});
afterEach(() => home.remove());

const tableArgs = () => ['--watermark-store', 'azure-table', '--azure-table-name', tableName];
const table = () => new TableWatermarkStore({ connectionString: azurite.connectionString, tableName });
const byKind = (entries: readonly WatermarkEntry[]) => Object.fromEntries(entries.map((e) => [e.key.kind, e.watermark]));

describe('import octez and signatory into the table', () => {
  test('raises the table to an octez base directory’s marks, signatures kept; a dry run and a second import change nothing', async () => {
    const octez = join(VECTORS_DIR, 'migration', 'octez-base-dir');
    // its keys open: the signatures octez stored are checked with them, and kept
    const passwords = ['--key-passphrase-file', join(VECTORS_DIR, 'migration', 'octez-passwords')];
    const dry = await runTezsigner(['import', 'octez', '--base-dir', octez, '--dry-run', ...passwords, ...tableArgs()], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('23 entries: 23 would be raised, 0 kept, in the azure-table store (dry run: nothing written)');
    expect(await table().list()).toEqual([]);

    const run = await runTezsigner(['import', 'octez', '--base-dir', octez, '--plain', ...passwords, ...tableArgs()], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('23 entries: 23 raised, 0 kept, into the azure-table store');
    const block = (await table().list()).find((e) => e.key.kind === 'block' && e.key.pkh === PKH && e.key.chainId === CHAIN);
    const octezBlock = JSON.parse(await readFile(join(octez, 'block_high_watermarks'), 'utf8')) as Record<string, Record<string, object>>;
    expect(block?.watermark).toEqual(octezBlock[CHAIN]?.[PKH]);

    const signatory = await runTezsigner(['import', 'signatory', '--watermarks', join(VECTORS_DIR, 'migration', 'signatory-base-dir'), ...tableArgs()], { env });
    // the ghostnet marks are new; mainnet's are at or below octez's (Signatory's tz1 block is round 2: raised)
    expect(signatory.stdout).toContain(`raised  ${CHAIN} ${PKH} block to level 5000000 round 2`);
    const again = await runTezsigner(['import', 'octez', '--base-dir', octez, '--plain', ...passwords, ...tableArgs()], { env });
    expect(again.stdout).toContain('0 raised');
  });
});

describe('watermarks export / import between the file store and the table', () => {
  test('moves the file store to the table, raising only, and says which entries were raised and kept', async () => {
    const file = await FileWatermarkStore.open({ home: home.path });
    await file.commit(at('block'), { level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' });
    await file.commit(at('attestation'), { level: 90, round: 0, hash: hash(2), signature: 'edsigAttestation90' });
    // A mark without its signature (imported so): it must travel as it is, never gain one.
    await file.importEntries([{ key: at('preattestation'), watermark: { level: 90, round: 0, hash: hash(3) } }]);
    // The table is already ahead for attestations: that entry must be kept, not lowered.
    await table().commit(at('attestation'), { level: 95, round: 2, hash: hash(4), signature: 'edsigAttestation95' });

    const out = join(home.path, 'marks.json');
    const exported = await runTezsigner(['watermarks', 'export', '--out', out], { env });
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('exported 3 watermark(s) from the file store');
    const document = JSON.parse(await readFile(out, 'utf8')) as { format: string; version: number; entries: unknown[] };
    expect(document).toMatchObject({ format: 'tezsigner-watermarks', version: 1, store: 'file' });
    expect(document.entries).toContainEqual({ chainId: CHAIN, pkh: PKH, kind: 'block', level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' });
    expect(document.entries).toContainEqual({ chainId: CHAIN, pkh: PKH, kind: 'preattestation', level: 90, round: 0, hash: hash(3) });

    const imported = await runTezsigner(['watermarks', 'import', out, ...tableArgs()], { env });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`raised  ${CHAIN} ${PKH} block to level 100 round 1`);
    expect(imported.stdout).toContain(`raised  ${CHAIN} ${PKH} preattestation to level 90 round 0`);
    expect(imported.stdout).toContain(`kept    ${CHAIN} ${PKH} attestation at level 95 round 2 (import has level 90 round 0; never lowered)`);
    expect(imported.stdout).toContain('3 entries: 2 raised, 1 kept, into the azure-table store');
    expect(byKind(await table().list())).toEqual({
      block: { level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' },
      attestation: { level: 95, round: 2, hash: hash(4), signature: 'edsigAttestation95' },
      preattestation: { level: 90, round: 0, hash: hash(3) },
    });
    // The imported signature is the answer to a repeat, from any instance.
    expect(checkWatermark(await table().read(at('block')), { level: 100, round: 1, hash: hash(1) })).toEqual({ outcome: 'repeat', signature: 'edsigBlock100' });
    await expect(table().commit(at('block'), { level: 100, round: 1, hash: hash(1), signature: 'edsigOther' })).resolves.toEqual({
      committed: false,
      stored: { level: 100, round: 1, hash: hash(1), signature: 'edsigBlock100' },
    });

    const again = await runTezsigner(['watermarks', 'import', out, ...tableArgs()], { env });
    expect(again.stdout).toContain('3 entries: 0 raised, 3 kept');
  });

  test('moves the table back to a file store, and shows the table', async () => {
    await table().commit(at('block'), { level: 7, round: 0, hash: hash(7), signature: 'edsigBlock7' });
    await table().importEntries([{ key: at('attestation'), watermark: { level: 6, round: 1, hash: hash(6) } }]);
    const exported = await runTezsigner(['watermarks', 'export', ...tableArgs()], { env });
    expect(exported.code).toBe(0);
    const out = join(home.path, 'from-table.json');
    await writeFile(out, exported.stdout);
    const imported = await runTezsigner(['watermarks', 'import', out], { env });
    expect(imported.stdout).toContain('2 entries: 2 raised, 0 kept, into the file store');
    const file = await FileWatermarkStore.open({ home: home.path });
    expect(byKind(await file.list())).toEqual({
      block: { level: 7, round: 0, hash: hash(7), signature: 'edsigBlock7' },
      attestation: { level: 6, round: 1, hash: hash(6) },
    });
    expect(checkWatermark(await file.read(at('block')), { level: 7, round: 0, hash: hash(7) })).toEqual({ outcome: 'repeat', signature: 'edsigBlock7' });

    const shown = await runTezsigner(['watermarks', 'show', ...tableArgs()], { env });
    expect(shown.stdout).toMatch(new RegExp(`${CHAIN}\\s+${PKH}\\s+block\\s+7\\s+0\\s+stored`));
    expect(shown.stdout).toMatch(new RegExp(`${CHAIN}\\s+${PKH}\\s+attestation\\s+6\\s+1\\s+none \\(imported\\)`));
  });

  test('accepts the output of `watermarks show --json`', async () => {
    await table().commit(at('attestation'), { level: 3, round: 1, hash: hash(3), signature: 'edsigAttestation3' });
    const shown = await runTezsigner(['watermarks', 'show', '--json', ...tableArgs()], { env });
    const out = join(home.path, 'shown.json');
    await writeFile(out, shown.stdout);
    const imported = await runTezsigner(['watermarks', 'import', out], { env });
    expect(imported.stdout).toContain('1 entry: 1 raised, 0 kept, into the file store');
  });

  test.each([
    ['not JSON', '{', /is not JSON/],
    ['another format', JSON.stringify({ format: 'octez', entries: [] }), /is not a tezsigner watermarks export/],
    ['a bad hash', JSON.stringify([{ chainId: CHAIN, pkh: PKH, kind: 'block', level: 1, round: 0, hash: 'xyz' }]), /entry 1: hash must be 64 hex/],
    ['a negative level', JSON.stringify([{ chainId: CHAIN, pkh: PKH, kind: 'block', level: -1, round: 0, hash: hash(1) }]), /entry 1: level and round/],
    [
      'the same watermark twice',
      JSON.stringify([
        { chainId: CHAIN, pkh: PKH, kind: 'block', level: 1, round: 0, hash: hash(1) },
        { chainId: CHAIN, pkh: PKH, kind: 'block', level: 2, round: 0, hash: hash(2) },
      ]),
      /entry 2: same chain, key and kind as entry 1/,
    ],
  ])('refuses %s in one line and changes nothing', async (_, content, message) => {
    const out = join(home.path, 'bad.json');
    await writeFile(out, content);
    const run = await runTezsigner(['watermarks', 'import', out, ...tableArgs()], { env });
    expect(oneLineError(run)).toMatch(message);
    expect(await table().list()).toEqual([]);
  });

  test('says how to reach the table when it is not told', async () => {
    const run = await runTezsigner(['watermarks', 'show', '--watermark-store', 'azure-table'], { env: { TEZSIGNER_HOME: home.path } });
    expect(oneLineError(run)).toMatch(/needs --azure-table-url .*\$AZURE_TABLE_CONNECTION_STRING/);
    const both = await runTezsigner(
      ['watermarks', 'show', '--watermark-store', 'azure-table', '--azure-table-url', 'https://a.table.core.windows.net', '--azure-table-connection-string', azurite.connectionString],
      { env },
    );
    expect(oneLineError(both)).toMatch(/not both/);
  });

  test('warns at start-up and fails closed when the table does not answer', async () => {
    const port = azurite.port;
    const down = azurite.connectionString.replace(`:${port}/`, ':1/');
    const run = await runTezsigner(['watermarks', 'show', ...tableArgs()], { env: { ...env, AZURE_TABLE_CONNECTION_STRING: down } });
    expect(run.stderr).toMatch(/warning: cannot reach watermark table/);
    expect(oneLineError(run)).toMatch(/cannot reach watermark table/);
  });
});
