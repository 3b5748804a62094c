// A fresh clone of the repository at its HEAD commit, as a user gets it: only what is committed.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPOSITORY = resolve(import.meta.dirname, '..');

/** Clones this repository's HEAD (also from a git worktree, whose HEAD is not the clone's default) into `into`. */
export function cloneHead(into: string): void {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPOSITORY, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', REPOSITORY, into]);
  execFileSync('git', ['-C', into, 'checkout', '--quiet', head]);
}
