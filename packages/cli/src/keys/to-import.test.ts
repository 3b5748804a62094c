import { isTezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { keyVectors, loadVectors } from '../../../../test-support/vectors.js';
import type { CliIo } from '../io/cli-io.js';
import { readKeyToImport } from './to-import.js';

const [plain] = keyVectors();
const [encrypted] = loadVectors<{ keys: Array<{ encrypted_secret_key: string; passphrase: string }> }>('encrypted-keys').keys;
if (plain === undefined || encrypted === undefined) throw new Error('missing vectors');

/**
 * An io whose terminal answers `typed` in order (none: no terminal), recording the questions,
 * with `piped` on standard input when given.
 */
function terminal(typed?: string[], piped?: string): { io: CliIo; asked: string[]; stderr: string[] } {
  const stderr: string[] = [];
  const asked: string[] = [];
  const answers = typed === undefined ? undefined : [...typed];
  const io: CliIo = {
    stdout: () => undefined,
    stderr: (text) => stderr.push(text),
    env: {},
    promptSecret:
      answers === undefined
        ? undefined
        : async (question) => {
            asked.push(question);
            const answer = answers.shift();
            if (answer === undefined) throw new Error(`unexpected question: ${question}`);
            return answer;
          },
    readStdin: piped === undefined ? undefined : async () => piped,
    waitForStop: () => new Promise(() => undefined),
  };
  return { io, asked, stderr };
}

describe('readKeyToImport', () => {
  test('a plain key given on the command line asks nothing, and warns it stays in the shell history', async () => {
    const { io, asked, stderr } = terminal([]);
    expect(await readKeyToImport(plain.secret_key, undefined, io, 'x')).toEqual({ secretKey: plain.secret_key, encrypted: false, passphrase: undefined });
    expect(asked).toEqual([]);
    expect(stderr.join('')).toContain('shell history');
  });

  test('asks for a key left out, then for its passphrase when it is encrypted (octez tag or not)', async () => {
    const { io, asked, stderr } = terminal([`encrypted:${encrypted.encrypted_secret_key}`, encrypted.passphrase]);
    const read = await readKeyToImport(undefined, undefined, io, 'x');
    expect(read).toEqual({ secretKey: `encrypted:${encrypted.encrypted_secret_key}`, encrypted: true, passphrase: encrypted.passphrase });
    expect(asked).toEqual(['Secret key to import: ', 'Passphrase of the key to import: ']);
    expect(stderr).toEqual([]);
  });

  test('reads a key piped on standard input, without its trailing newline', async () => {
    const { io, stderr } = terminal(undefined, `${plain.secret_key}\n`);
    expect(await readKeyToImport(undefined, undefined, io, 'x')).toEqual({ secretKey: plain.secret_key, encrypted: false, passphrase: undefined });
    expect(stderr).toEqual([]);
  });

  test('nothing piped is a clear error', async () => {
    const error = await readKeyToImport(undefined, undefined, terminal(undefined, '\n').io, 'tezsigner keys import').catch((err: unknown) => err);
    expect((error as Error).message).toBe('no secret key on standard input: pipe it in (… | tezsigner keys import), or run on a terminal to type it');
  });

  test("without a terminal, an encrypted key needs its own passphrase file: nothing else is tried", async () => {
    const error = await readKeyToImport(encrypted.encrypted_secret_key, undefined, terminal().io, 'x').catch((err: unknown) => err);
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('--key-passphrase-file');
  });

  test('without a terminal and without the key, says how to give it', async () => {
    const { io } = terminal();
    const error = await readKeyToImport(undefined, undefined, io, 'tezsigner keys import').catch((err: unknown) => err);
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe('give the secret key to import on standard input (… | tezsigner keys import) or on a terminal');
  });
});
