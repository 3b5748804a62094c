// The file system the benchmark's folders are on, for the page: the signer's and the bare
// server's durable writes are only as fast as it is, and one kind matters here (see below).
import { readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';

export interface FileSystem {
  /** e.g. "ext4 (/dev/vda), no journal" */
  readonly description: string;
  /**
   * ext4 without a journal: when it allocates an inode it passes over every free inode deleted
   * in the last minute or more (the kernel's recently_deleted, which a journal makes needless),
   * so creating a file costs more the more files were deleted lately.
   */
  readonly unjournaledExt4: boolean;
}

/** Where `path` (default: the temporary folder every run works in) is mounted, from /proc/mounts. */
export function fileSystemOf(path = tmpdir()): FileSystem {
  try {
    const real = realpathSync(path);
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields.length >= 3);
    const under = (point: string) => real === point || real.startsWith(point === '/' ? '/' : `${point}/`);
    const [device = '?', , type = '?'] = mounts.filter(([, point = '']) => under(point)).sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))[0] ?? [];
    return describeFileSystem(type, device, type === 'ext4' ? readJournalTask(device) : undefined);
  } catch {
    return { description: 'unknown', unjournaledExt4: false };
  }
}

/**
 * A mount described: for ext4, `journal` is its journal thread's name from sysfs (`<none>`
 * without a journal, undefined when it could not be read).
 */
export function describeFileSystem(type: string, device: string, journal: string | undefined): FileSystem {
  if (type !== 'ext4') return { description: `${type} (${device})`, unjournaledExt4: false };
  const unjournaledExt4 = journal === '<none>';
  const said = journal === undefined ? '' : unjournaledExt4 ? ', no journal' : ', journaled';
  return { description: `ext4 (${device})${said}`, unjournaledExt4 };
}

function readJournalTask(device: string): string | undefined {
  try {
    return readFileSync(`/sys/fs/ext4/${basename(device)}/journal_task`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
