import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import { writeFileAtomic } from './files/atomic-write.js';
import { describe, octal } from './files/private-directory.js';

/**
 * A fresh secret for the signer's admin channel, written 0600 in the home: whoever can read it
 * is the signer's operator. A new one each start, so a copy taken earlier stops working.
 */
export async function createAdminToken(path: string): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** The running signer's admin token; refused when others could read it too. */
export async function readAdminToken(path: string): Promise<string> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read the admin token ${path} (is a signer running with a policy that asks for confirmations?): ${describe(err)}`, err);
  }
  if ((mode & 0o077) !== 0) throw configInvalid(`the admin token ${path} is readable by others (mode ${octal(mode)}); restart the signer to make a new one`);
  return text.trim();
}
