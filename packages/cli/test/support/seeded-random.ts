/** A small seeded generator (mulberry32): a failing run is replayed from the seed it printed. */
export interface SeededRandom {
  readonly seed: number;
  /** [0, 1) */
  next(): number;
  /** an integer in [0, n) */
  below(n: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number) => Math.floor(next() * n);
  return { seed, next, below, pick: (items) => items[below(items.length)] as (typeof items)[number] };
}

/** The seed of this run: TEZSIGNER_SEED to replay one, else a fresh one. */
export const runSeed = (): number => {
  const given = process.env['TEZSIGNER_SEED'];
  return given === undefined ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(given);
};
