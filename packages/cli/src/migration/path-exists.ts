import { access } from 'node:fs/promises';

/** Whether anything is at `path` (what it is, or whether it can be read, is for the caller to find out). */
export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
