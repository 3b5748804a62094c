// The benchmark page's chart: p50 and p99 latency against requests in flight, the signer beside
// the bare server, one panel per curve, drawn by Vega-Lite and rendered to SVG headless.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LocalCase } from './page-figures.js';

interface Point {
  readonly key: string;
  readonly concurrency: number;
  readonly server: string;
  readonly percentile: string;
  readonly ms: number;
}

/** One point per curve, concurrency, server and percentile. */
export function chartPoints(local: readonly LocalCase[]): Point[] {
  return local.flatMap((c) =>
    (['signer', 'bare'] as const).flatMap((server) =>
      (['p50', 'p99'] as const).map((p) => ({ key: c.prefix, concurrency: c.concurrency, server: server === 'signer' ? 'signer' : 'bare server', percentile: p, ms: c[server][p] })),
    ),
  );
}

export function chartSpec(local: readonly LocalCase[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Latency against requests in flight (local keys, file store)',
    data: { values: chartPoints(local) },
    facet: { column: { field: 'key', type: 'nominal', title: null, sort: ['tz1', 'tz2', 'tz3', 'tz4'] } },
    spec: {
      width: 160,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'concurrency', type: 'ordinal', title: 'in flight' },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
        color: { field: 'server', type: 'nominal', title: null },
        strokeDash: { field: 'percentile', type: 'nominal', title: null },
        detail: [{ field: 'server' }, { field: 'percentile' }],
      },
    },
  };
}

export async function renderChart(local: readonly LocalCase[]): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(local)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
