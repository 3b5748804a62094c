import { readdir } from 'node:fs/promises';
import { TezsignerError } from '@tezsigner/core';
import { fileErrorMeaning } from '../io/describe-failure.js';

/** The names in another signer's folder, sorted. */
export async function folderEntries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `cannot read the folder ${dir}: ${fileErrorMeaning(err)}`);
  }
}
