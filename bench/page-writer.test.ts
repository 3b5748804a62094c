import { describe, expect, it } from 'vitest';
import type { Figures } from './measure.js';
import type { LocalCase, PageFigures } from './page-figures.js';
import { chartPoints } from './latency-chart.js';
import { localTable, requestPathTargets, table, writePage } from './page-writer.js';

const f = (perSecond: number, p50: number, p99: number): Figures => ({ ops: 100, perSecond, p50, p99 });

const tz1 = (concurrency: number, signer: Figures, bare: Figures, floor: Figures): LocalCase => ({ prefix: 'tz1', curve: 'ed25519', concurrency, signer, bare, floor });

describe('the benchmark page', () => {
  it('lays a Markdown table out row by row', () => {
    expect(table(['a', 'b'], [['1', '2'], ['3', '4']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |');
  });

  it('judges the request-path targets against the bare server and the floor of the same run', () => {
    const met = requestPathTargets([tz1(1, f(300, 2.6, 8.9), f(400, 2.0, 7.0), f(500, 1.5, 5)), tz1(64, f(1000, 60, 90), f(1500, 40, 70), f(1900, 30, 50))]);
    expect(met.map((t) => [t.met, t.measured])).toEqual([
      [true, '2.60 ms vs 2.00 ms = 1.30×'],
      [true, '8.90 ms vs 7.00 ms = +1.90 ms'],
      [true, '1000 vs 1900 sig/s = 0.53'],
    ]);
    const missed = requestPathTargets([tz1(1, f(300, 2.7, 9.1), f(400, 2.0, 7.0), f(500, 1.5, 5)), tz1(64, f(900, 60, 90), f(1500, 40, 70), f(1900, 30, 50))]);
    expect(missed.map((t) => [t.met, t.measured])).toEqual([
      [false, '2.70 ms vs 2.00 ms = 1.35×'],
      [false, '9.10 ms vs 7.00 ms = +2.10 ms'],
      [false, '900 vs 1900 sig/s = 0.47'],
    ]);
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
      machine: { cpu: 'Test CPU 9000', cores: 2, memoryGiB: 8, node: 'v20.19.0', os: 'Linux 6', loadAverage: 1.5, date: '2026-01-02T03:04:05.000Z' },
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
      '| date | 2026-01-02T03:04:05.000Z |',
      '](benchmarks-latency.svg)',
      '| 1 key (tz2) | 8 | 250 | 267 | 31.50 | 40.00 | 0 |',
      '| HA pair, requests alternating | 1 | 90 | 10.50 | 20.00 |',
      'pnpm bench --write-docs',
    ]) expect(text).toContain(expected);
  });
});
