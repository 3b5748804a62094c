// How every suite prints a case, so columns line up from one suite to the next.
import type { Figures } from './measure.js';

export interface Columns {
  /** what one operation is, per second (default ops/s) */
  readonly unit?: string;
  /** decimals of the latencies: 3 for sub-millisecond operations (default 2) */
  readonly decimals?: number;
}

/** `    1234 ops/s   p50     0.81 ms   p99     1.93 ms` */
export function formatFigures(f: Figures, { unit = 'ops/s', decimals = 2 }: Columns = {}): string {
  const ms = (value: number) => value.toFixed(decimals).padStart(8);
  return `${f.perSecond.toFixed(0).padStart(8)} ${unit}   p50 ${ms(f.p50)} ms   p99 ${ms(f.p99)} ms`;
}

const NAME_WIDTH = 44;

/** One row of a suite's table: the case, its figures, and how many operations they rest on. */
export function caseLine(name: string, f: Figures, columns: Columns = {}): string {
  return `${name.padEnd(NAME_WIDTH)} ${formatFigures(f, columns)}   (${f.ops} ops)`;
}
