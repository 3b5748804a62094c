import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fileSystemOf } from './file-system.js';

describe('fileSystemOf', () => {
  it('names the type and device that findmnt gives for the temporary folder', () => {
    const [type, source] = execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '--target', tmpdir()], { encoding: 'utf8' }).trim().split(/\s+/);
    const found = fileSystemOf(tmpdir());
    expect(found.description.startsWith(`${type} (${source})`)).toBe(true);
    expect(found.unjournaledExt4).toBe(found.description.endsWith('no journal'));
  });

  it('says unknown for a path that does not exist', () => {
    expect(fileSystemOf('/no/such/folder/here')).toEqual({ description: 'unknown', unjournaledExt4: false });
  });
});
