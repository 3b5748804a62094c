import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Resolve workspace packages to their TypeScript sources, so tests never run stale builds.
    conditions: ['source'],
  },
  // Vite 7 applies resolve.conditions to browser code only; tests run as server (SSR) code,
  // whose conditions are these (Vite's defaults for servers, plus `source`).
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // collects every signer log of the run and fails the run if one holds a secret
    globalSetup: ['./test-support/log-secrets-setup.ts'],
    reporters: ['default', './test-support/summary-reporter.ts'],
  },
});
