// The CPU time a process has used, all its threads together, from Linux's /proc: how the page
// says what a signature costs each server of the two cores it shares with the load, in user
// space and in the kernel (where the durable writes' file calls spend theirs).
import { readFile } from 'node:fs/promises';

export interface CpuTime {
  readonly userMs: number;
  readonly systemMs: number;
}

/** /proc counts in USER_HZ, which Linux fixes at 100 a second on every architecture Node runs on */
const MS_PER_TICK = 10;

/** `pid`'s user and system time so far; undefined where there is no /proc or no such process. */
export async function cpuTime(pid: number): Promise<CpuTime | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // after the command's name, in parentheses (it may hold spaces), come the state, then 10 fields, then utime and stime
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  return { userMs: user * MS_PER_TICK, systemMs: system * MS_PER_TICK };
}

/** CPU per signature, in µs, summed over a case's slices. */
export interface CpuPerSignature {
  readonly userUs: number;
  readonly systemUs: number;
}

/** Sums what `pid` used over timed runs, each answering some signatures. */
export class CpuTally {
  #userMs = 0;
  #systemMs = 0;
  #signatures = 0;
  #known = true;

  constructor(readonly pid: number | undefined) {}

  /** Runs `run`, adding to the tally what the process used meanwhile and the `count` of its answers. */
  async around<T>(run: () => Promise<T>, count: (result: T) => number): Promise<T> {
    const before = this.pid === undefined ? undefined : await cpuTime(this.pid);
    const result = await run();
    const after = this.pid === undefined ? undefined : await cpuTime(this.pid);
    if (before === undefined || after === undefined) this.#known = false;
    else {
      this.#userMs += after.userMs - before.userMs;
      this.#systemMs += after.systemMs - before.systemMs;
      this.#signatures += count(result);
    }
    return result;
  }

  /** µs per signature over every run so far, or undefined if a reading failed or nothing was answered. */
  perSignature(): CpuPerSignature | undefined {
    if (!this.#known || this.#signatures === 0) return undefined;
    return { userUs: (1000 * this.#userMs) / this.#signatures, systemUs: (1000 * this.#systemMs) / this.#signatures };
  }
}
