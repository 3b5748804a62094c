import { isTezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { keyVectors, loadVectors } from '../../../test-support/vectors.js';
import type { CliIo } from './cli-io.js';
import { readKeyToImport } from './key-to-import.js';

const [plain] = keyVectors();
const [encrypted] = loadVectors<{ keys: Array<{ encrypted_secret_key: string; passphrase: string }> }>('encrypted-keys').keys;
if (plain === undefined || encrypted === undefined) throw new Error('missing vectors');

/** An io whose terminal answers `typed` in order (none: no terminal), recording the questions. */
function terminal(typed?: string[]): { io: CliIo; asked: string[] } {
  const asked: string[] = [];
  const answers = typed === undefined ? undefined : [...typed];
  const io: CliIo = {
    stdout: () => undefined,
    stderr: () => undefined,
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
    waitForStop: () => new Promise(() => undefined),
  };
  return { io, asked };
}

describe('readKeyToImport', () => {
  test('a plain key given on the command line asks nothing', async () => {
    const { io, asked } = terminal([]);
    expect(await readKeyToImport(plain.secret_key, undefined, io, 'x')).toEqual({ secretKey: plain.secret_key, encrypted: false, passphrase: undefined });
    expect(asked).toEqual([]);
  });

  test('asks for a key left out, then for its passphrase when it is encrypted (octez tag or not)', async () => {
    const { io, asked } = terminal([`encrypted:${encrypted.encrypted_secret_key}`, encrypted.passphrase]);
    const read = await readKeyToImport(undefined, undefined, io, 'x');
    expect(read).toEqual({ secretKey: `encrypted:${encrypted.encrypted_secret_key}`, encrypted: true, passphrase: encrypted.passphrase });
    expect(asked).toEqual(['Secret key to import: ', 'Passphrase of the key to import: ']);
  });

  test('without a terminal, an encrypted key comes back without a passphrase for the caller to refuse or fill', async () => {
    const { io } = terminal();
    expect(await readKeyToImport(encrypted.encrypted_secret_key, undefined, io, 'x')).toMatchObject({ encrypted: true, passphrase: undefined });
  });

  test('without a terminal and without the key, says how to give it', async () => {
    const { io } = terminal();
    const error = await readKeyToImport(undefined, undefined, io, 'tezsigner keys import <secret-key>').catch((err: unknown) => err);
    expect(isTezsignerError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe('give the secret key to import: tezsigner keys import <secret-key>');
  });
});
