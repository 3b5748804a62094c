import { TezsignerError, decodeSignature, hexToBytes, verifyDigestSignature } from '@tezsigner/core';
import type { OctezMark } from './octez-watermark-files.js';
import type { PublicKey } from './octez-public-keys.js';

/**
 * The marks whose stored signature may be kept: each is checked against its key before
 * anything is stored, since a kept signature is what the identical request gets back. One that
 * does not verify refuses the whole import (the file is damaged or not what it seems). One that
 * cannot be checked (a tz4 signature, made of the bytes where octez keeps only their hash; or a
 * key whose public key neither secret_keys nor public_keys gives) is dropped, the mark kept:
 * the identical request is then refused, as at a Signatory mark, and `notes` says so.
 */
export function checkOctezSignatures(marks: readonly OctezMark[], publicKeys: ReadonlyMap<string, PublicKey>): { marks: OctezMark[]; notes: string[] } {
  const notes: string[] = [];
  const checked = marks.map((read): OctezMark => {
    const { signature, ...unsigned } = read.mark;
    if (signature === undefined) return read;
    const { chainId, pkh, kind } = read.key;
    const where = `${read.file}: ${chainId} ${pkh} ${kind} at level ${read.mark.level}`;
    const key = publicKeys.get(pkh);
    const verified = key === undefined ? undefined : verify(key, read.mark.hash, signature);
    if (verified === false) {
      throw new TezsignerError('BAD_REQUEST', `${where}: its stored signature is not ${pkh}'s signature of the hash beside it: nothing imported (is the file damaged?)`);
    }
    if (verified === true) return read;
    const why = key === undefined ? `no public key of ${pkh} in secret_keys or public_keys to check it with` : 'a tz4 signature is of the bytes, which octez does not keep';
    notes.push(`${where}: its stored signature is not kept (${why}): the identical request will be refused, not answered again`);
    return { ...read, mark: unsigned };
  });
  return { marks: checked, notes };
}

function verify(key: PublicKey, hash: string, signature: string): boolean | undefined {
  const decoded = decodeSignature(signature);
  if (decoded.curve !== undefined && decoded.curve !== key.curve) return false;
  return verifyDigestSignature(key.curve, key.bytes, hexToBytes(hash), decoded.bytes);
}
