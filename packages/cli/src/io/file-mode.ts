import { readFile, stat } from 'node:fs/promises';
import { configInvalid } from '@tezsigner/core';
import { fileErrorMeaning } from './describe-failure.js';

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Refuses a file that another user could change (writable by group or others, or owned by
 * someone other than this user or root), as ssh refuses such an authorized_keys: the file says
 * who may do what (the policy, authorized keys, approver keys, the TLS key and client CA), so
 * whoever can write it holds those rights. `secret` also refuses a file others can read. A
 * file that cannot be stat'ed is left to its reader, which says why.
 */
export async function refuseOpenFile(file: string, what: string, options: { secret?: boolean } = {}): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
    throw configInvalid(`${what} ${file} belongs to another user (uid ${info.uid}), who could change it: use a file of your own`);
  }
  const open = options.secret === true ? 0o077 : 0o022;
  if ((info.mode & open) !== 0) {
    const who = options.secret === true ? 'readable or writable by group or others' : 'writable by group or others';
    throw configInvalid(`${what} ${file} is ${who} (mode ${octal(info.mode)}), who could change it: run chmod ${options.secret === true ? '600' : 'go-w'} ${file}`);
  }
}

/** The text of a file that grants rights, refused as refuseOpenFile says; one it cannot read is CONFIG_INVALID saying why. */
export async function readOwnFile(file: string, what: string): Promise<string> {
  await refuseOpenFile(file, what);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw configInvalid(`cannot read ${what} ${file}: ${fileErrorMeaning(err)}`, err);
  }
}

/** The TLS key and certificate, and the client CA (which decides who may connect), under the same rule. */
export async function refuseOpenTlsFiles(files: { readonly cert: string; readonly key: string; readonly clientCa?: string }): Promise<void> {
  await refuseOpenFile(files.cert, 'the TLS certificate');
  await refuseOpenFile(files.key, 'the TLS key');
  if (files.clientCa !== undefined) await refuseOpenFile(files.clientCa, 'the TLS client CA');
}
