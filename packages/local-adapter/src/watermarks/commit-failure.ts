import { sep } from 'node:path';
import { storeCorrupt, storeUnavailable, type TezsignerError } from '@tezsigner/core';
import { CreateAndListError } from '../files/commit-threads.js';
import { describe } from '../files/private-directory.js';

/**
 * The store's error for a commit whose file calls failed, named for the step that failed: the
 * mark's file not written, the folder not flushed (the mark may not survive a power cut, so it
 * does not count), or the folder not listed (a folder that is not one is damage to repair).
 */
export function commitFailure(folder: string, name: string, err: unknown): TezsignerError {
  const step = err instanceof CreateAndListError ? err.step : 'write';
  if (step === 'flush') return storeUnavailable(`cannot flush the watermark folder ${folder}: ${describe(err)}`, err);
  if (step === 'list') {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return storeCorrupt(`${folder} should be a folder of watermark files`, err);
    return storeUnavailable(`cannot list the watermark folder ${folder}: ${describe(err)}`, err);
  }
  return storeUnavailable(`cannot write the watermark file ${folder}${sep}${name}: ${describe(err)}`, err);
}
