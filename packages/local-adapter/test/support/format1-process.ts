// A process that commits marks as a format-1 tezsigner does (format1-operations.ts), one at a
// time as format 1 does per watermark, driven by JSON lines on stdin:
//   {"id": 1, "level": 11, "round": 0, "hash": "…", "freezeAt": "reread"}
// answers {"id": 1, "frozen": "reread"} and stops itself (SIGSTOP) at that point when asked,
// then {"id": 1, "outcome": "advanced" | "refused" | "failed", "error"?}: `advanced` is what
// format 1 signs. Arguments: the `<kind>.json` path, the stale time and the wait of its lock.
import { createInterface } from 'node:readline';
import { format1CheckAndAdvance } from './format1-operations.js';
import type { Format1Point } from './format1-operations.js';

const [path, staleText, waitText] = process.argv.slice(2);
if (!path || !staleText || !waitText) throw new Error('usage: format1-process <kind>.json <stale ms> <wait ms>');
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

interface Command {
  readonly id: number;
  readonly level: number;
  readonly round?: number;
  readonly hash: string;
  readonly freezeAt?: Format1Point;
}

let queue: Promise<void> = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  queue = queue.then(async () => {
    const result = await format1CheckAndAdvance(
      path,
      { level: command.level, round: command.round ?? 0, hash: command.hash },
      {
        staleMs: Number(staleText),
        waitMs: Number(waitText),
        at: async (point) => {
          if (point !== command.freezeAt) return;
          say({ id: command.id, frozen: point });
          process.kill(process.pid, 'SIGSTOP');
        },
      },
    );
    say({ id: command.id, ...result });
  });
});
say({ ready: true });
