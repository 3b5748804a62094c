/**
 * The first position in [lo, hi] where `test` holds, for a `test` that is false up to some
 * position and true from there on, and true at `hi`. It starts at `hint` and doubles its step
 * away from it, then halves: a hint near the answer costs a few tests, a wrong one about twice
 * a binary search's.
 */
export async function searchFirst(lo: number, hi: number, hint: number, test: (position: number) => Promise<boolean>): Promise<number> {
  let below = lo - 1;
  let above = hi;
  const start = Math.min(Math.max(hint, lo), hi);
  if (await test(start)) {
    above = start;
    for (let step = 1; above > lo; step *= 2) {
      const probe = Math.max(above - step, lo);
      if (!(await test(probe))) {
        below = probe;
        break;
      }
      above = probe;
    }
  } else {
    below = start;
    for (let step = 1; ; step *= 2) {
      const probe = Math.min(below + step, hi);
      if (probe === hi || (await test(probe))) {
        above = probe;
        break;
      }
      below = probe;
    }
  }
  while (above - below > 1) {
    const middle = Math.floor((below + above) / 2);
    if (await test(middle)) above = middle;
    else below = middle;
  }
  return above;
}
