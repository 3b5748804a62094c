// Nothing in the repository may read outside its own tree (a clone has nothing beside it). The
// clone test proves it for the tests it runs; this guard reads every tracked file for the
// spellings that would break it elsewhere: a relative path climbing out of the repository, or a
// path naming the shared folder the project's notes live in.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { expect, test } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const CHECKED = /\.(ts|mts|js|mjs|cjs|json|ya?ml|sh|md)$|^\.ci\/run$/;

const tracked = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' })
  .split('\n')
  .filter((file) => CHECKED.test(file) && file !== 'pnpm-lock.yaml');

/** Every quoted relative path of a file that resolves outside the repository. */
function escapingPaths(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [, path] of text.matchAll(/['"`](\.\.\/[^'"`\s]*)['"`]/g)) {
    if (path === undefined) continue;
    const target = relative(REPO, resolve(REPO, dirname(file), path));
    if (target === '..' || target.startsWith(`..${sep}`)) found.push(`${file}: ${path}`);
  }
  for (const [spelled] of text.matchAll(/[^\s'"`]*\/shared\/spec[^\s'"`]*|\.\.\/shared\b[^\s'"`]*/g)) found.push(`${file}: ${spelled}`);
  return found;
}

// spelled in pieces, so this file does not hold what it looks for
const up = (times: number) => '../'.repeat(times);
const SHARED = ['shared', 'spec', 'vectors'].join('/');

test('the guard sees a path climbing out and a path into the shared folder', () => {
  expect(escapingPaths('packages/core/src/x.ts', `readFileSync(resolve(import.meta.dirname, '${up(4)}${SHARED}/keys.json'))`)).toHaveLength(2);
  expect(escapingPaths('test-support/x.ts', `resolve(import.meta.dirname, '${up(2)}elsewhere')`)).toHaveLength(1);
  expect(escapingPaths('README.md', `cp -r /work/${SHARED} .`)).toHaveLength(1);
  expect(escapingPaths('packages/cli/test/x.test.ts', "import { a } from '../../../test-support/vectors.js'")).toEqual([]);
});

test('no tracked file reads outside the repository', () => {
  expect(tracked.length).toBeGreaterThan(100);
  const escaping = tracked.flatMap((file) => escapingPaths(file, readFileSync(resolve(REPO, file), 'utf8')));
  expect(escaping).toEqual([]);
});
