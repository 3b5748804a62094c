import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFileSystem, fileSystemOf } from './file-system.js';

describe('fileSystemOf', () => {
  it('names the type and device that findmnt gives for the temporary folder, and its journal as the kernel lists it', () => {
    const [type, source = ''] = execFileSync('findmnt', ['-n', '--nofsroot', '-o', 'FSTYPE,SOURCE', '--target', tmpdir()], { encoding: 'utf8' }).trim().split(/\s+/);
    const found = fileSystemOf(tmpdir());
    expect(found.description.startsWith(`${type} (${source})`)).toBe(true);
    // the kernel lists every mounted journal under /proc/fs/jbd2 as <device>-<inode>
    const journaled = existsSync('/proc/fs/jbd2') && readdirSync('/proc/fs/jbd2').some((name) => name.startsWith(`${basename(source)}-`));
    expect(found.unjournaledExt4).toBe(type === 'ext4' && !journaled);
  });

  it('says unknown for a path that does not exist', () => {
    expect(fileSystemOf('/no/such/folder/here')).toEqual({ description: 'unknown', unjournaledExt4: false });
  });
});

describe('describeFileSystem', () => {
  it('tells an ext4 without a journal from a journaled one by its journal thread', () => {
    expect(describeFileSystem('ext4', '/dev/vda', '<none>')).toEqual({ description: 'ext4 (/dev/vda), no journal', unjournaledExt4: true });
    expect(describeFileSystem('ext4', '/dev/vda', 'jbd2/vda-8')).toEqual({ description: 'ext4 (/dev/vda), journaled', unjournaledExt4: false });
    expect(describeFileSystem('ext4', '/dev/vda', undefined)).toEqual({ description: 'ext4 (/dev/vda)', unjournaledExt4: false });
  });

  it('says nothing of a journal for other file systems', () => {
    expect(describeFileSystem('xfs', '/dev/sdb1', undefined)).toEqual({ description: 'xfs (/dev/sdb1)', unjournaledExt4: false });
  });
});
