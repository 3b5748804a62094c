// How every suite times its cases and sums them up (ops/s, p50, p99), in one place so that
// figures of different suites are computed alike and can be set side by side.

/** One case's rate and latency percentiles (ms). */
export interface Figures {
  readonly ops: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** The latency (ms) of each operation of one timed run, and the wall-clock seconds it took. */
export interface Sample {
  readonly latencies: number[];
  readonly seconds: number;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when there is nothing to rank. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/**
 * `workers` loops at once for `seconds`, worker w calling `operation(w, i)` for i = 1, 2, …
 * and timing each call; no more than `maxOps` calls begin in all (a cap for very fast
 * operations, so a case's latency list stays small).
 */
export async function measure(
  workers: number,
  seconds: number,
  operation: (worker: number, iteration: number) => unknown,
  maxOps = Number.POSITIVE_INFINITY,
): Promise<Sample> {
  const latencies: number[] = [];
  let begun = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let iteration = 1; performance.now() < until && begun < maxOps; iteration++) {
        begun += 1;
        const t0 = performance.now();
        await operation(worker, iteration);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** The figures of one sample, or of several samples of one case (alternating slices) taken as one. */
export function figures(samples: Sample | readonly Sample[]): Figures {
  const all: readonly Sample[] = 'latencies' in samples ? [samples] : samples;
  const latencies = all.flatMap((sample) => sample.latencies).sort((a, b) => a - b);
  const seconds = all.reduce((sum, sample) => sum + sample.seconds, 0);
  return { ops: latencies.length, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
