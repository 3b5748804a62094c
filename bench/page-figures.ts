// What the benchmark page shows, as one run measured it: handed from the cases (page-cases.ts)
// to the page's writer (page-writer.ts) and chart (latency-chart.ts).
import type { Figures } from './measure.js';
import type { CpuPerSignature } from './process-cpu.js';

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
  /** where the run's folders (homes, marks, the bare server's files) are: file-system.ts */
  readonly fileSystem: string;
  /** that file system is ext4 without a journal (file-system.ts says why it matters) */
  readonly unjournaledExt4: boolean;
}

/**
 * One curve at one concurrency: the signer over HTTP, the bare server and the floor, in
 * alternating slices (the shipped command in processes of their own, or the in-process breakdown).
 */
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
  /** the CPU each server's process used per signature over its slices (the shipped command's cases, on Linux) */
  readonly cpu?: { readonly signer: CpuPerSignature; readonly bare: CpuPerSignature } | undefined;
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

/** A bakery at scale (bakery.ts): one signer with hundreds of keys, started afresh. */
export interface BakeryRow {
  readonly setup: string;
  readonly keys: number;
  /** ms from the spawn of `serve` to its "listening" line */
  readonly listeningMs: number;
  /** local vault: its first start (every key opened from its file) or a restart (from the unlock cache) */
  readonly start?: 'first start' | 'restart';
  /** ms from the spawn to its first ready /readyz (every key open) */
  readonly readyMs: number;
  /** ms from the first request of the level sent the moment it was ready to its last answer */
  readonly firstLevelMs: number;
  /** p50/p99 of every answer of the steady levels */
  readonly burst: Figures;
  /** ms from a steady level's first request to the last of its answers (median of the levels) */
  readonly lastAnswerMs: number;
  /** resident memory of the signer after the levels */
  readonly rssMiB: number;
  /** answers other than a signature, over every level (a signer failing closed under the load) */
  readonly failed: number;
  /** the same steady levels sent, each right after the signer's, to the bare server with as many keys */
  readonly bare?: { readonly burst: Figures; readonly lastAnswerMs: number } | undefined;
}

export interface PageFigures {
  readonly machine: Machine;
  /** which command was measured, and how it was installed */
  readonly command: string;
  /** the installed command in a process of its own, the bare server in another, the load in a third */
  readonly shipped: readonly LocalCase[];
  /** how long that serve took to be ready, with how many encrypted keys */
  readonly shippedStart: { readonly readyMs: number; readonly keys: number };
  readonly bakery: readonly BakeryRow[];
  /** the in-process breakdown: the signer assembled inside the bench's process */
  readonly local: readonly LocalCase[];
  readonly vaultLatencyMs: number;
  readonly vault: readonly VaultRow[];
  readonly ha: readonly HaRow[];
  /** wall-clock seconds the whole run took */
  readonly seconds: number;
}
