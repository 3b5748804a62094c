import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test-support/slow-first-sequencer.js';

// The tests that sign and verify through the process's own choice of crypto: run a second time
// with noble forced (the fallback where a native module is missing), in the same run, so that
// its one summary line counts both. The crypto/ property tests compare both implementations
// directly and need no second run.
const FALLBACK_TESTS = [
  'packages/core/src/crypto/implementations.test.ts',
  'packages/core/src/signing/sign-and-verify.test.ts',
  'packages/core/src/signing/authentication.test.ts',
  'packages/core/src/memory/key-provider.test.ts',
  'packages/core/src/signer-service.test.ts',
];

// Tests whose assertions are timings of the signer itself (the soak's first and last windows).
const MEASURED_ALONE = ['packages/cli/test/suites/soak.test.ts'];

export default defineConfig({
  resolve: {
    // Resolve workspace packages to their TypeScript sources, so tests never run stale builds.
    conditions: ['source'],
  },
  // Vite 7 applies resolve.conditions to browser code only; tests run as server (SSR) code,
  // whose conditions are these (Vite's defaults for servers, plus `source`).
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One module graph per worker, shared by the files it runs one after another: the sources,
    // Taquito, express and the Azure SDK load once per worker instead of once per file, which was
    // half the suite's CPU time. What a test starts it stops (servers, processes, Azurite), no test
    // changes process.env, and each file makes its own homes and ports, so nothing one file leaves
    // reaches the next.
    // Workers are recycled between projects (each runs in fresh ones) and then kept: with fewer
    // than the maximum kept, tinypool retires an idle worker as a file is handed to it, and
    // vitest 3.2 fails the run on the unhandled "Terminating worker thread" that follows.
    poolOptions: { forks: { isolate: false, minForks: availableParallelism() + 1 } },
    // Vitest runs one file at a time on 2 cores (CPUs - 1), yet the slowest files mostly wait:
    // on processes they start (installs, signers, Azurite), on fsync, on a frozen process. One
    // more file than cores keeps the CPUs busy while those wait; every wait in the tests is for a
    // condition with a bound, not a fixed time, so a busier machine makes them slower, not red.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: SlowFirstSequencer },
    // collects every signer log of the run and fails the run if one holds a secret
    globalSetup: ['./test-support/log-secrets-setup.ts'],
    reporters: ['default', './test-support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'end to end', include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts'], exclude: [...configDefaults.exclude, ...MEASURED_ALONE] } },
      // last, and alone: a latency kept steady over time means nothing while other files share the cores
      { extends: true, test: { name: 'measured alone', include: MEASURED_ALONE, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'noble fallback', include: FALLBACK_TESTS, env: { TEZSIGNER_CRYPTO: 'noble' } } },
    ],
  },
});
