import { configInvalid } from '../errors.js';

/** What each first byte of a request means (protocol notes §2). */
export const MAGIC_BYTES: ReadonlyMap<number, string> = new Map([
  [0x01, 'legacy block'],
  [0x02, 'legacy endorsement'],
  [0x03, 'operation'],
  [0x04, 'authentication'],
  [0x05, 'Michelson data'],
  [0x11, 'block'],
  [0x12, 'preattestation'],
  [0x13, 'attestation'],
]);

/** A baker's signer: blocks, preattestations and attestations only. */
export const DEFAULT_MAGIC_BYTES: readonly number[] = Object.freeze([0x11, 0x12, 0x13]);

/** 0x04 authenticates a client's request; signing it for a client would forge authentications. */
export const AUTHENTICATION_MAGIC_BYTE = 0x04;
/** What follows 0x04 in an authentication: the tag of a sign request (octez `signer_messages.ml`). */
export const SIGN_REQUEST_TAG = 0x01;

export function formatMagicByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** "0x12 (preattestation)" */
export function describeMagicByte(byte: number): string {
  const name = MAGIC_BYTES.get(byte);
  return name === undefined ? formatMagicByte(byte) : `${formatMagicByte(byte)} (${name})`;
}

/**
 * Checks an allowlist of magic bytes: known bytes only, never 0x04. Returns it without
 * duplicates, in the order given.
 */
export function validateMagicBytes(bytes: readonly number[]): number[] {
  if (bytes.length === 0) throw configInvalid('the magic byte allowlist is empty: nothing could be signed');
  const out: number[] = [];
  for (const byte of bytes) {
    if (!Number.isInteger(byte) || !MAGIC_BYTES.has(byte)) {
      const shown = Number.isInteger(byte) && byte >= 0 && byte <= 0xff ? formatMagicByte(byte) : String(byte);
      const allowable = [...MAGIC_BYTES.keys()].filter((known) => known !== AUTHENTICATION_MAGIC_BYTE);
      throw configInvalid(`unknown magic byte ${shown} in the allowlist; known: ${allowable.map(formatMagicByte).join(', ')}`);
    }
    if (byte === AUTHENTICATION_MAGIC_BYTE) {
      throw configInvalid('magic byte 0x04 (authentication) cannot be allowed: it is never signed for clients');
    }
    if (!out.includes(byte)) out.push(byte);
  }
  return out;
}

/** Parses the `--magic-bytes` option, e.g. "0x11,0x12,0x13"; CONFIG_INVALID on a bad list. */
export function parseMagicBytes(text: string): number[] {
  if (typeof text !== 'string' || text.trim() === '') throw configInvalid('the magic byte list is empty');
  const bytes = text.split(',').map((item) => {
    const trimmed = item.trim();
    if (!/^0x[0-9a-f]{2}$/i.test(trimmed)) {
      throw configInvalid(`"${trimmed}" is not a magic byte: write each as 0x followed by two hex digits, e.g. 0x11,0x12,0x13`);
    }
    return Number.parseInt(trimmed.slice(2), 16);
  });
  return validateMagicBytes(bytes);
}
