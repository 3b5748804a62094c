import { join } from 'node:path';
import { TezsignerError, derivePublicKey } from '@tezsigner/core';
import type { WatermarkEntry } from '@tezsigner/core';
import type { BackendOptions } from '../backends/backend-options.js';
import type { CliIo } from '../io/cli-io.js';
import { checkOctezSignatures } from './check-octez-signatures.js';
import { folderEntries } from './folder-entries.js';
import { skippedKeysError, storeOctezKeys, unlockOctezKeys, type KeyImportOptions, type UnlockedKeys } from './import-octez-keys.js';
import { BAKER_FILE, parseOctezBakerFile } from './octez-baker-marks.js';
import { parseOctezPublicKeys, type PublicKey } from './octez-public-keys.js';
import { parseOctezSecretKeys } from './octez-secret-keys.js';
import { OCTEZ_WATERMARK_FILES, entriesOfOctezMarks, parseOctezWatermarkFile, type OctezMark } from './octez-watermark-files.js';
import { highestPerKey, raiseWatermarks } from './raise-marks.js';
import { readRegularFile } from './read-regular-file.js';

export interface ImportOctezOptions extends BackendOptions, KeyImportOptions {
  readonly baseDir: string;
  /** commander's --no-keys */
  readonly keys: boolean;
  readonly allowSkipped?: boolean;
}

/**
 * `tezsigner import octez`: the marks of an octez-signer or octez-client base directory (the
 * signer's `*_high_watermarks`, the baker's own `<chain>_highwatermarks`) and the keys of its
 * `secret_keys`. Every file is read and checked, and every key opened, before anything is
 * written; then the marks are raised, then the keys stored, so no key is ever here without the
 * marks it signed at.
 */
export async function importOctez(options: ImportOctezOptions, io: CliIo): Promise<void> {
  const dir = options.baseDir;
  const names = await folderEntries(dir);
  const { signerMarks, bakerEntries, notes } = await readMarkFiles(dir, names, io);
  const keysFile = names.includes('secret_keys') ? join(dir, 'secret_keys') : undefined;
  if (signerMarks.length + bakerEntries.length === 0 && keysFile === undefined) {
    throw new TezsignerError('CONFIG_INVALID', `${dir} holds neither secret_keys nor high-watermark files (*_high_watermarks, <chain>_highwatermarks): is it an octez base directory?`);
  }
  const secretKeys = keysFile === undefined || !options.keys ? undefined : parseOctezSecretKeys(await readRegularFile(keysFile), keysFile);
  const publicKeysFile = names.includes('public_keys') ? join(dir, 'public_keys') : undefined;
  const publicKeys = publicKeysFile === undefined ? new Map<string, PublicKey>() : parseOctezPublicKeys(await readRegularFile(publicKeysFile), publicKeysFile);

  const keys = secretKeys === undefined || keysFile === undefined ? undefined : await unlockOctezKeys(secretKeys, keysFile, options, io);
  for (const key of keys?.unlocked ?? []) publicKeys.set(key.pkh, { curve: key.secretKey.curve, bytes: derivePublicKey(key.secretKey) });
  const checked = checkOctezSignatures(signerMarks, publicKeys);
  for (const note of [...notes, ...checked.notes]) io.stdout(`note: ${note}\n`);

  const entries = [...entriesOfOctezMarks(checked.marks), ...bakerEntries];
  const writable = { ...options, createHome: options.dryRun !== true };
  if (entries.length === 0) io.stdout(`no high-watermark files in ${dir}\n`);
  else await raiseWatermarks(highestPerKey(entries), writable, io, options.dryRun === true);
  await importKeys(keys, options, io);
}

/** The marks of octez-signer's files and of the baker's own, each file named as it is read. */
async function readMarkFiles(dir: string, names: readonly string[], io: CliIo): Promise<{ signerMarks: OctezMark[]; bakerEntries: WatermarkEntry[]; notes: string[] }> {
  const notes: string[] = [];
  const signerMarks: OctezMark[] = [];
  const marks = (n: number) => `${n} mark${n === 1 ? '' : 's'}`;
  for (const { name, kind } of OCTEZ_WATERMARK_FILES) {
    // octez writes `<name>s`; the bare name is read too
    for (const file of [`${name}s`, name].filter((candidate) => names.includes(candidate))) {
      const read = parseOctezWatermarkFile(await readRegularFile(join(dir, file)), join(dir, file), kind);
      signerMarks.push(...read.marks);
      notes.push(...read.notes);
      io.stdout(`read ${join(dir, file)}: ${marks(read.marks.length)} of octez-signer\n`);
    }
  }
  const bakerEntries: WatermarkEntry[] = [];
  for (const file of names.filter((name) => BAKER_FILE.test(name))) {
    const read = parseOctezBakerFile(await readRegularFile(join(dir, file)), join(dir, file), file);
    bakerEntries.push(...read.entries);
    notes.push(...read.notes);
    io.stdout(`read ${join(dir, file)}: ${marks(read.entries.length)} of the baker on ${read.chainId} (the baker keeps no hash: even the identical request is refused at them)\n`);
  }
  return { signerMarks, bakerEntries, notes };
}

async function importKeys(keys: UnlockedKeys | undefined, options: ImportOctezOptions, io: CliIo): Promise<void> {
  if (!options.keys) io.stdout('keys not imported (--no-keys)\n');
  else if (keys === undefined) io.stdout(`no secret_keys file in ${options.baseDir}: no keys imported\n`);
  if (keys === undefined) return;
  await storeOctezKeys(keys, options, io);
  const skipped = skippedKeysError(keys);
  if (skipped !== undefined && options.allowSkipped !== true) throw skipped;
}
