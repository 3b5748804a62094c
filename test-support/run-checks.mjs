#!/usr/bin/env node
// The test command's checks before the tests: lint, typecheck and build, each a single-threaded
// tool, run side by side (they read the same sources and write nothing the others read), one
// line each as they end; a failed check's own output is printed whole. Exits non-zero if any
// failed, so the tests do not start on a broken tree.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

// each check runs its package.json script's own command (pnpm puts node_modules/.bin on PATH)
const { scripts } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

const CHECKS = [
  { name: 'lint (eslint; dependency-cruiser: no import circle)', script: 'lint' },
  { name: 'typecheck (tsc, sources and tests)', script: 'typecheck' },
  { name: 'build (tsc -b, every package)', script: 'build' },
];

process.stdout.write(`checks: ${CHECKS.map((check) => check.name).join(', ')}, side by side\n`);
const results = await Promise.all(
  CHECKS.map(
    (check) =>
      new Promise((done) => {
        const started = performance.now();
        const child = spawn('sh', ['-c', scripts[check.script]], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', (err) => (output += `${err.message}\n`));
        child.on('close', (code) => {
          const seconds = ((performance.now() - started) / 1000).toFixed(0);
          process.stdout.write(`${code === 0 ? 'ok    ' : 'FAILED'} ${check.name}, ${seconds} s\n`);
          if (code !== 0) process.stdout.write(output);
          done(code === 0);
        });
      }),
  ),
);
if (results.includes(false)) process.exit(1);
process.stdout.write('tests: vitest, every package (projects "unit", "end to end", "noble fallback", then "measured alone": the soak)\n');
