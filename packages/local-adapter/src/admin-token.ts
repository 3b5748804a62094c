import { readFile, stat } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import { describe, octal } from './files/private-directory.js';

/** The running signer's admin token; refused when others could read it too. */
export async function readAdminToken(path: string): Promise<string> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read the admin token ${path} (is a signer running with a policy that asks for confirmations, with this --admin-socket?): ${describe(err)}`, err);
  }
  if ((mode & 0o077) !== 0) throw configInvalid(`the admin token ${path} is readable by others (mode ${octal(mode)}); restart the signer to make a new one`);
  return text.trim();
}
