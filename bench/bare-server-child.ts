// The bare server in a process of its own (bare-server-process.ts), as the benchmarks start it,
// and the names its keys go by in request paths.
import type { Curve } from '../packages/core/src/index.js';
import { LineChild } from './line-child.js';

export interface BareServerChild {
  readonly process: LineChild;
  readonly url: string;
}

/** Starts it with `perCurve` keys of each of `curves`, its files in `folder`. */
export async function startBareServer(folder: string, curves: readonly Curve[], perCurve: number): Promise<BareServerChild> {
  const started = await LineChild.start<{ url: string }>(new URL('./bare-server-process.ts', import.meta.url), [folder, curves.join(','), String(perCurve)]);
  return { process: started.process, url: started.first.url };
}

/** Its first `count` keys of `curve`, as request paths name them (`/keys/<curve>-<n>`). */
export const bareKeys = (curve: Curve, count: number): string[] => Array.from({ length: count }, (_, n) => `${curve}-${n}`);
