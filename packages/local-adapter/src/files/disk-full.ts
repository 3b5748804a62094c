/** A write refused for want of room: the file system is full (ENOSPC) or this user's quota is (EDQUOT). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * What to tell an operator whose disk filled up under `folder`: that it is full, not that the
 * store or the file system is unsuitable (the fix is to make room, not to move elsewhere).
 */
export function diskFullMessage(folder: string, err: unknown, fileSystem?: string): string {
  const where = fileSystem === undefined ? folder : `${folder} (${fileSystem})`;
  const quota = (err as NodeJS.ErrnoException).code === 'EDQUOT';
  const what = quota ? "this user's disk quota is used up (EDQUOT)" : 'the disk is full (ENOSPC: no space left on device)';
  return `cannot write in ${where}: ${what}; free some space on it, then start again`;
}
