// What the benchmark page shows, as one run measured it: handed from the cases (page-cases.ts)
// to the page's writer (page-writer.ts) and chart (latency-chart.ts).
import type { Figures } from './measure.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run began: how busy the shared machine was */
  readonly loadAverage: number;
  /** ISO date and time of the run */
  readonly date: string;
}

/** One curve at one concurrency: the signer over HTTP, the bare server and the floor, in alternating slices. */
export interface LocalCase {
  /** tz1, tz2, tz3 or tz4 */
  readonly prefix: string;
  readonly curve: string;
  readonly concurrency: number;
  /** the whole signer over HTTP (file watermark store, fsync), one key per concurrent client */
  readonly signer: Figures;
  /** a bare node:http server doing sign + verify + one fsynced atomic write, same client */
  readonly bare: Figures;
  /** the same work in a tight loop, no HTTP */
  readonly floor: Figures;
}

export interface VaultRow {
  readonly keys: string;
  readonly concurrency: number;
  readonly figures: Figures;
  readonly failed: number;
}

export interface HaRow {
  readonly setup: string;
  readonly concurrency: number;
  readonly figures: Figures;
}

export interface PageFigures {
  readonly machine: Machine;
  readonly local: readonly LocalCase[];
  readonly vaultLatencyMs: number;
  readonly vault: readonly VaultRow[];
  readonly ha: readonly HaRow[];
  /** wall-clock seconds the whole run took */
  readonly seconds: number;
}
