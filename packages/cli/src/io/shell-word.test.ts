import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shellWord } from './shell-word.js';

/** What sh itself makes of the word: the one argument it passes on. */
const asShellSees = (word: string): string[] => JSON.parse(execFileSync('sh', ['-c', `node -e 'process.stdout.write(JSON.stringify(process.argv.slice(1)))' ${word}`], { encoding: 'utf8' })) as string[];

describe('shellWord', () => {
  test('a plain alias is left as it is', () => {
    expect(shellWord('baker-tz1')).toBe('baker-tz1');
    expect(shellWord('key_2.p256')).toBe('key_2.p256');
  });

  test.each(['baker; touch PWNED #', "it's $(rm -rf ~) `id` & more", 'two words', 'baker\\n; touch PWNED #', ''])('%j reaches the command as one argument, unchanged', (text) => {
    const word = shellWord(text);
    expect(asShellSees(word)).toEqual([text]);
  });
});
