import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { configInvalid } from '@tezsigner/core';
import { createFileAtomic } from '../files/atomic-write.js';
import { describe } from '../files/private-directory.js';

/** `<home>/passphrase`: the vault passphrase `tezsigner init` made, read when none is given. */
export const HOME_PASSPHRASE_FILE = 'passphrase';

export const homePassphrasePath = (home: string): string => join(home, HOME_PASSPHRASE_FILE);

/**
 * Writes a new random vault passphrase to `<home>/passphrase` (0600, in the 0700 home) and
 * returns it: 192 bits from the CSPRNG, so a signer can start unattended without anyone
 * choosing (or copying from a README) a weak one. It protects copies of `keys/` made without
 * it, not a machine whose home is read; never overwrites an existing file.
 */
export async function createHomePassphrase(home: string): Promise<{ passphrase: string; file: string }> {
  const file = homePassphrasePath(home);
  const passphrase = randomBytes(24).toString('base64url');
  try {
    await createFileAtomic(file, `${passphrase}\n`);
  } catch (err) {
    throw configInvalid(`cannot write the passphrase file ${file}: ${describe(err)}`, err);
  }
  return { passphrase, file };
}
