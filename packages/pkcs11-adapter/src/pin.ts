import { readFile, stat } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';

export const PIN_ENV = 'TEZSIGNER_PKCS11_PIN';

/**
 * The token's user PIN: from a PIN file (which only its owner may read: a PIN that others can
 * read is refused, as ssh refuses such a key), else from $TEZSIGNER_PKCS11_PIN. Never from a
 * command-line flag, which every user of the machine sees in the process list.
 */
export async function readPin(pinFile: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (pinFile !== undefined) {
    let mode: number;
    try {
      mode = (await stat(pinFile)).mode;
    } catch (err) {
      throw configInvalid(`cannot read the PKCS#11 PIN file ${pinFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
    }
    if ((mode & 0o077) !== 0) {
      throw configInvalid(`the PKCS#11 PIN file ${pinFile} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
    }
    // trailing whitespace (a newline, a blank line, a space an editor left) is no part of the PIN:
    // sent along, it would cost a login attempt of the few before the token locks
    const pin = (await readFile(pinFile, 'utf8')).trimEnd();
    if (pin === '') throw configInvalid(`the PKCS#11 PIN file ${pinFile} is empty`);
    return pin;
  }
  const pin = env[PIN_ENV];
  if (pin === undefined || pin === '') throw configInvalid(`no PKCS#11 PIN: set $${PIN_ENV} or give a PIN file (mode 0600)`);
  return pin;
}
