import { TezsignerError } from '@tezsigner/core';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u0008', '\u007f'];

/**
 * Reads one line from the terminal in raw mode, echoing nothing, so a passphrase never
 * appears on screen or in the scrollback. Ctrl-C or Ctrl-D cancels.
 */
export function promptSecretOnTty(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const wasRaw = input.isRaw;
    const finish = (error?: TezsignerError): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error === undefined) resolve(answer);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === CTRL_C || char === CTRL_D) {
          return finish(new TezsignerError('CONFIG_INVALID', 'cancelled: no passphrase given'));
        }
        if (BACKSPACE.includes(char)) answer = [...answer].slice(0, -1).join('');
        else answer += char;
      }
    };
    // Echo goes off before the question shows, so nothing typed after seeing it is echoed.
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
    output.write(question);
  });
}
