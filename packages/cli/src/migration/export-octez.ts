import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TezsignerError } from '@tezsigner/core';
import type { BackendOptions } from '../backends/backend-options.js';
import { withWatermarkStore } from '../backends/registry.js';
import type { CliIo } from '../io/cli-io.js';
import { OCTEZ_BEFORE_V23_NAMES, serializeOctezWatermarkFiles } from './octez-watermark-files.js';
import { exists } from './path-exists.js';

/**
 * `watermarks export --format octez --out DIR`: octez-signer's own files, so a baker can move
 * back as safely as it came. An existing file is never overwritten: octez's marks there may be
 * higher, and lowering them is what this is all about avoiding. The files have the names of
 * octez v23 and later; an older octez-signer reads the (pre)attestation marks under other names
 * and would start without them, so the output says which to rename.
 */
export async function exportOctez(options: BackendOptions & { readonly out?: string }, io: CliIo): Promise<void> {
  const dir = options.out;
  if (dir === undefined) throw new TezsignerError('CONFIG_INVALID', 'with --format octez, give the octez base directory to write into with --out <dir>');
  const [name, entries] = await withWatermarkStore({ ...options, readOnly: true }, io, async (store) => [store.name, await store.list()] as const);
  const { files, left } = serializeOctezWatermarkFiles(entries);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const file of files.keys()) {
    if (await exists(join(dir, file))) throw new TezsignerError('CONFIG_INVALID', `${join(dir, file)} exists: move it aside first (its marks may be higher than these; it is never overwritten)`);
  }
  for (const [file, text] of files) {
    try {
      await writeFile(join(dir, file), text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new TezsignerError('CONFIG_INVALID', `${join(dir, file)} exists: move it aside first (its marks may be higher than these; it is never overwritten)`);
      }
      throw err;
    }
    io.stdout(`wrote ${join(dir, file)}\n`);
  }
  for (const { key, watermark } of left) {
    io.stdout(
      `left out ${key.chainId} ${key.pkh} ${key.kind} at level ${watermark.level}: an Emmy endorsement mark, which octez-signer keeps in endorsement_high_watermarks, the name octez before v23 gives its attestation marks\n`,
    );
  }
  io.stdout(`exported ${entries.length - left.length} watermark(s) from the ${name} store to ${dir} in octez-signer's format\n`);
  const renames = [...files.keys()].filter((file) => OCTEZ_BEFORE_V23_NAMES[file] !== undefined).map((file) => `${file} to ${OCTEZ_BEFORE_V23_NAMES[file]}`);
  io.stdout(
    `these are the file names of octez-signer v23 and later${renames.length === 0 ? '' : `; for an older octez-signer, which reads no other names and would start without these marks, rename ${renames.join(' and ')} (or upgrade it first)`}\n`,
  );
}
