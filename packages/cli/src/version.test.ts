import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { VERSION } from './version.js';

test("is the CLI package's version, which the installed package takes too", () => {
  const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
  expect(VERSION).toBe(version);
});
