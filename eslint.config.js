import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node's modules that reach files, sockets, processes or the clock's timers: core decides, the
// adapters do. node:crypto (primitives) and node:module (loading a native implementation) stay allowed.
const NODE_IO_MODULES = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process',
  'cluster', 'readline', 'readline/promises', 'worker_threads', 'os', 'timers', 'timers/promises', 'stream', 'process',
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', performance: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Core is the inside of the hexagon: no I/O, so every front end and backend can trust it.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: NODE_IO_MODULES.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: 'core does no I/O: put it in an adapter and reach it through a port' })) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core does no I/O: take it as an option' }, { name: 'fetch', message: 'core does no I/O' }, { name: 'setTimeout', message: 'core keeps no clock' }, { name: 'setInterval', message: 'core keeps no clock' }],
    },
  },
);
