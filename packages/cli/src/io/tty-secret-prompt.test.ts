import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { promptSecretOnTty } from './tty-secret-prompt.js';

/** A terminal that records what was written and in which mode. */
class FakeTerminal extends EventEmitter {
  isRaw = false;
  readonly events: string[] = [];
  setRawMode(raw: boolean): this {
    this.isRaw = raw;
    this.events.push(`raw:${raw}`);
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  write(text: string): boolean {
    this.events.push(`write:${text}`);
    return true;
  }
  type(text: string): void {
    this.emit('data', Buffer.from(text, 'utf8'));
  }
}

function ask(terminal: FakeTerminal): Promise<string> {
  return promptSecretOnTty(terminal as unknown as NodeJS.ReadStream, terminal as unknown as NodeJS.WritableStream, 'Passphrase: ');
}

describe('promptSecretOnTty', () => {
  test('turns echo off before showing the question, returns the line, and restores the terminal', async () => {
    const terminal = new FakeTerminal();
    const answer = ask(terminal);
    terminal.type('correct horse');
    terminal.type(' battery\r');
    expect(await answer).toBe('correct horse battery');
    expect(terminal.events).toEqual(['raw:true', 'write:Passphrase: ', 'raw:false', 'write:\n']);
    // nothing typed was written back
    expect(terminal.events.join('')).not.toContain('horse');
  });

  test('backspace removes the last character, including a multi-byte one', async () => {
    const terminal = new FakeTerminal();
    const answer = ask(terminal);
    terminal.type('pass€\u007fword\u0008d\n');
    expect(await answer).toBe('password');
  });

  test('Ctrl-C cancels with a clear error and restores the terminal', async () => {
    const terminal = new FakeTerminal();
    const answer = ask(terminal);
    terminal.type('secr\u0003');
    await expect(answer).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'cancelled: no passphrase given' });
    expect(terminal.isRaw).toBe(false);
  });
});
