import { describe, expect, it } from 'vitest';
import type { Figures } from './measure.js';
import type { BakeryRow, LocalCase, PageFigures } from './page-figures.js';
import { chartPoints } from './latency-chart.js';
import { bakeryTable, bakeryTargets, cpuTable, localTable, requestPathTargets, table, writePage } from './page-writer.js';

const f = (perSecond: number, p50: number, p99: number): Figures => ({ ops: 100, perSecond, p50, p99 });

const tz1 = (concurrency: number, signer: Figures, bare: Figures, floor: Figures): LocalCase => ({ prefix: 'tz1', curve: 'ed25519', concurrency, signer, bare, floor });

describe('the benchmark page', () => {
  it('lays a Markdown table out row by row', () => {
    expect(table(['a', 'b'], [['1', '2'], ['3', '4']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |');
  });

  it('judges the request-path targets against the bare server of the same run', () => {
    const met = requestPathTargets([tz1(1, f(300, 2.6, 8.9), f(400, 2.0, 7.0), f(500, 1.5, 5)), tz1(64, f(1200, 60, 90), f(1500, 40, 70), f(1900, 30, 50))]);
    expect(met.map((t) => [t.met, t.measured])).toEqual([
      [true, '2.60 ms vs 2.00 ms = 1.30×'],
      [true, '8.90 ms vs 7.00 ms = +1.90 ms'],
      [true, '1200 vs 1500 sig/s = 0.80'],
    ]);
    const missed = requestPathTargets([tz1(1, f(300, 2.7, 9.1), f(400, 2.0, 7.0), f(500, 1.5, 5)), tz1(64, f(1100, 60, 90), f(1500, 40, 70), f(1900, 30, 50))]);
    expect(missed.map((t) => [t.met, t.measured])).toEqual([
      [false, '2.70 ms vs 2.00 ms = 1.35×'],
      [false, '9.10 ms vs 7.00 ms = +2.10 ms'],
      [false, '1100 vs 1500 sig/s = 0.73'],
    ]);
  });

  it("sets each server's CPU per signature side by side, and says nothing where the run could not read it", () => {
    const without = tz1(1, f(300, 2.6, 8.9), f(400, 2.0, 7.0), f(500, 1.5, 5));
    const many = { ...tz1(64, f(1200, 60, 90), f(1500, 40, 70), f(1900, 30, 50)), cpu: { signer: { userUs: 250.4, systemUs: 449.6 }, bare: { userUs: 150, systemUs: 350 } } };
    const text = cpuTable([without, many]);
    expect(text.split('\n').filter((line) => line.startsWith('| tz1'))).toEqual(['| tz1 (ed25519) | 64 | 250 | 450 | 150 | 350 | 1.40 |']);
    expect(text).toContain("here 700 µs for the signer's process (450 in the kernel) against 500 µs for the bare server's (350 in the kernel)");
    expect(cpuTable([without])).toBe('');
  });

  const bakery = (setup: string, readyMs: number, lastAnswerMs: number, start?: BakeryRow['start']): BakeryRow => ({
    setup,
    keys: 500,
    listeningMs: readyMs - 100,
    readyMs,
    ...(start === undefined ? {} : { start }),
    firstLevelMs: 5000,
    burst: f(1000, 210.5, 640.25),
    lastAnswerMs,
    rssMiB: 140.4,
    failed: 0,
  });

  it('judges a bakery: ready within 5 s at a restart with its encrypted keys, a level answered within 1 s locally and 2 s on the vault', () => {
    const judged = bakeryTargets([
      bakery('500 tz1 keys, first', 9500, 900, 'first start'),
      bakery('500 tz1 keys', 4990, 1001, 'restart'),
      bakery('500 tz2 keys', 9000, 1999),
      { ...bakery('500 tz2 keys', 9000, 1500), failed: 3 },
    ]);
    expect(judged.map((t) => [t.name, t.met, t.measured])).toEqual([
      ["500 tz1 keys, first: a level's last answer within 1 s", true, '0.90 s'],
      ['500 tz1 keys: ready within 5 s of the start', true, '4.99 s'],
      ["500 tz1 keys: a level's last answer within 1 s", false, '1.00 s'],
      ["500 tz2 keys: a level's last answer within 2 s", true, '2.00 s'],
      ["500 tz2 keys: a level's last answer within 2 s", false, '1.50 s (3 failed closed)'],
    ]);
    expect(bakeryTable([bakery('500 tz2 keys', 9000, 1999)]).split('\n')[2]).toBe('| 500 tz2 keys | 8.90 | 9.00 | 5.00 | 210.50 | 640.25 | 2.00 | 140 | 0 | – |');
    const withBare = { ...bakery('500 tz1 keys', 2000, 1100, 'restart'), bare: { burst: f(1000, 180, 400), lastAnswerMs: 870 } };
    expect(bakeryTable([withBare]).split('\n')[2]).toBe('| 500 tz1 keys | 1.90 | 2.00 | 5.00 | 210.50 | 640.25 | 1.10 | 140 | 0 | 0.87 |');
  });

  it('sets each curve and concurrency beside its floor as ratios', () => {
    const row = localTable([tz1(8, f(600, 12.5, 30.25), f(800, 10, 20), f(1200, 6, 9))]).split('\n')[2];
    expect(row).toBe('| tz1 (ed25519) | 8 | 600 | 12.50 | 30.25 | 800 | 10.00 | 20.00 | 1200 | 0.50 | 0.75 |');
  });

  it('charts p50 and p99 of the signer and the bare server per curve and concurrency', () => {
    expect(chartPoints([tz1(8, f(600, 12.5, 30.25), f(800, 10, 20), f(1200, 6, 9))])).toEqual([
      { key: 'tz1', concurrency: 8, server: 'signer', percentile: 'p50', ms: 12.5 },
      { key: 'tz1', concurrency: 8, server: 'signer', percentile: 'p99', ms: 30.25 },
      { key: 'tz1', concurrency: 8, server: 'bare server', percentile: 'p50', ms: 10 },
      { key: 'tz1', concurrency: 8, server: 'bare server', percentile: 'p99', ms: 20 },
    ]);
  });

  it('names the machine, links the chart and says how to rerun it', () => {
    const page: PageFigures = {
      machine: { cpu: 'Test CPU 9000', cores: 2, memoryGiB: 8, node: 'v20.19.0', os: 'Linux 6', loadAverage: 1.5, date: '2026-01-02T03:04:05.000Z', fileSystem: 'ext4 (/dev/test), no journal', unjournaledExt4: true },
      command: 'installed by install.sh',
      shipped: [tz1(1, f(310, 2.5, 8.5), f(400, 2.0, 7.0), f(500, 1.5, 5)), tz1(64, f(1210, 60, 90), f(1500, 40, 70), f(1900, 30, 50))],
      shippedStart: { readyMs: 800, keys: 256 },
      bakery: [bakery('500 tz1 keys', 700, 800, 'restart')],
      local: [tz1(1, f(300, 2.6, 8.9), f(400, 2.0, 7.0), f(500, 1.5, 5))],
      vaultLatencyMs: 30,
      vault: [{ keys: '1 key (tz2)', concurrency: 8, figures: f(250, 31.5, 40), failed: 0 }],
      ha: [{ setup: 'HA pair, requests alternating', concurrency: 1, figures: f(90, 10.5, 20) }],
      seconds: 200,
    };
    const text = writePage(page);
    for (const expected of [
      '| CPU | Test CPU 9000, 2 cores |',
      '| Node | v20.19.0 |',
      '| file system of the run | ext4 (/dev/test), no journal |',
      'This run\'s folders are on ext4 without a journal',
      '| date | 2026-01-02T03:04:05.000Z |',
      '](benchmarks-latency.svg)',
      '| 1 key (tz2) | 8 | 250 | 267 | 31.50 | 40.00 | 0 |',
      '| HA pair, requests alternating | 1 | 90 | 10.50 | 20.00 |',
      // the shipped command's table first, the in-process breakdown after its heading
      '| tz1 (ed25519) | 1 | 310 | 2.50 | 8.50 |',
      'the `tezsigner` command installed by install.sh, started as `tezsigner serve`',
      '| c=64 over 64 keys: ≥ 0.8 of the bare server’s signatures/s | 1210 vs 1500 sig/s = 0.81 | yes |',
      'the floor made 1900 tz1 signatures/s, the bare server 1500 (0.79 of the floor) and the signer 1210',
      '| 500 tz1 keys: ready within 5 s of the start | 0.70 s | yes |',
      'pnpm bench --write-docs',
    ]) expect(text).toContain(expected);
    expect(text.indexOf('| tz1 (ed25519) | 1 | 310 |')).toBeLessThan(text.indexOf('## In-process breakdown'));
    expect(text.indexOf('| tz1 (ed25519) | 1 | 300 |')).toBeGreaterThan(text.indexOf('## In-process breakdown'));
    // on a journaled file system there is nothing to explain
    const journaled = writePage({ ...page, machine: { ...page.machine, fileSystem: 'ext4 (/dev/test), journaled', unjournaledExt4: false } });
    expect(journaled).toContain('| file system of the run | ext4 (/dev/test), journaled |');
    expect(journaled).not.toContain('without a journal');
  });
});
