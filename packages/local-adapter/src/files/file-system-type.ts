import { readFile, realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * The type of the file system `path` is on, as mount(8) names it (`ext4`, `vfat`,
 * `fuse.sshfs`), from /proc/self/mountinfo: a message that names it tells the operator at
 * once which mount is wrong. Undefined where that is unknown (not Linux, path gone).
 */
export async function fileSystemType(path: string): Promise<string | undefined> {
  let real: string;
  let table: string;
  try {
    [real, table] = await Promise.all([realpath(path), readFile('/proc/self/mountinfo', 'utf8')]);
  } catch {
    return undefined;
  }
  return typeInMountTable(table, real);
}

/** The type of the deepest mount in `table` (mountinfo's text) holding `real`, a path without links. */
export function typeInMountTable(table: string, real: string): string | undefined {
  let best: { point: string; type: string } | undefined;
  for (const line of table.split('\n')) {
    const mount = parseMountLine(line);
    if (mount === undefined || !contains(mount.point, real)) continue;
    // the deepest mount holding the path; at equal depth the later one, mounted over the other
    if (best === undefined || mount.point.length >= best.point.length) best = mount;
  }
  return best?.type;
}

/** A mountinfo line: `id parent major:minor root point options [tags...] - type source super-options`. */
function parseMountLine(line: string): { point: string; type: string } | undefined {
  const [mine, theirs] = line.split(' - ');
  const point = mine?.split(' ')[4];
  const type = theirs?.split(' ')[0];
  if (point === undefined || type === undefined || type === '') return undefined;
  // spaces, tabs, newlines and backslashes in a mount point are written as octal escapes
  return { point: point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))), type };
}

const contains = (point: string, path: string) => point === '/' || path === point || path.startsWith(`${point}${sep}`);
