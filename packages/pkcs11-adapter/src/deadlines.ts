/** A call that was still running at its deadline (the call itself goes on, abandoned). */
export class DeadlinePassed extends Error {}

/** `promise`, or DeadlinePassed at `deadline` (epoch ms) if it has not settled by then. */
export function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlinePassed()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
