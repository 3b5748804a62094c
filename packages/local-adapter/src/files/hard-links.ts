/** link(2) refused as such (FAT and exFAT say EPERM, a FUSE mount without it ENOSYS). */
export function lacksHardLinks(err: unknown): boolean {
  const { syscall, code } = err as NodeJS.ErrnoException;
  return syscall === 'link' && (code === 'EPERM' || code === 'ENOSYS' || code === 'EOPNOTSUPP' || code === 'ENOTSUP');
}
