import { mkdtemp, rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fileSystemType, typeInMountTable } from './file-system-type.js';

describe('fileSystemType', () => {
  it('names the file system a path is on', async () => {
    // Linux mounts these, whatever the root's own file system is
    expect(await fileSystemType('/proc/self')).toBe('proc');
    const dir = await mkdtemp('/dev/shm/tezsigner-type-');
    try {
      expect(await fileSystemType(dir)).toBe('tmpfs');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('is undefined for a path that does not exist', async () => {
    expect(await fileSystemType('/dev/shm/tezsigner-no-such-folder')).toBeUndefined();
  });
});

describe('typeInMountTable', () => {
  // lines as the kernel writes them (proc(5)), a space in a mount point as \040
  const table = [
    '21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '30 21 7:0 / /mnt/key\\040stick rw,nosuid - vfat /dev/loop0 rw,uid=1000',
    '31 21 0:40 / /mnt/a rw - fuse.sshfs host:/ rw',
    '32 31 0:41 / /mnt/a rw - xfs /dev/sdb1 rw',
    '',
  ].join('\n');

  it('takes the deepest mount holding the path, the last one at one point', () => {
    expect(typeInMountTable(table, '/mnt/key stick/home/watermarks')).toBe('vfat');
    expect(typeInMountTable(table, '/mnt/key stick')).toBe('vfat');
    expect(typeInMountTable(table, '/mnt/a/b')).toBe('xfs');
    expect(typeInMountTable(table, '/var/lib')).toBe('ext4');
  });

  it('does not take a mount point for a prefix of a longer name', () => {
    expect(typeInMountTable(table, '/mnt/ab/watermarks')).toBe('ext4');
  });
});
