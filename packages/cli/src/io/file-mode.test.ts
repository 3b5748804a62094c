import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { refuseOpenFile, refuseOpenTlsFiles } from './file-mode.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tezsigner-mode-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function fileWithMode(name: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, 'x');
  await chmod(path, mode);
  return path;
}

test('a file granting rights may be read by others, not written; a secret may be neither', async () => {
  await refuseOpenFile(await fileWithMode('readable', 0o644), 'the policy file');
  await expect(refuseOpenFile(await fileWithMode('group', 0o664), 'the policy file')).rejects.toThrow(/the policy file .*group is writable by group or others \(mode 0664\).*chmod go-w/);
  await expect(refuseOpenFile(await fileWithMode('others', 0o602), 'the policy file')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  await refuseOpenFile(await fileWithMode('secret', 0o600), 'the approver key', { secret: true });
  await expect(refuseOpenFile(await fileWithMode('shown', 0o640), 'the approver key', { secret: true })).rejects.toThrow(/readable or writable by group or others.*chmod 600/);
  // a missing file is left to its reader, which says so
  await refuseOpenFile(join(dir, 'missing'), 'the policy file');
});

test('the TLS certificate, key and client CA each fall under the rule', async () => {
  const cert = await fileWithMode('cert.pem', 0o644);
  const key = await fileWithMode('key.pem', 0o600);
  await refuseOpenTlsFiles({ cert, key });
  await expect(refuseOpenTlsFiles({ cert, key, clientCa: await fileWithMode('ca.pem', 0o666) })).rejects.toThrow(/the TLS client CA/);
  await chmod(key, 0o620);
  await expect(refuseOpenTlsFiles({ cert, key })).rejects.toThrow(/the TLS key/);
});
