import { invalidEncoding } from '../errors.js';

const MUTEZ_PER_TEZ = 1_000_000n;
const DECIMALS = 6;
const TEZ_TEXT = /^(\d{1,20})(?:\.(\d{1,6}))?$/;

/**
 * Exact decimal tez of a mutez amount, without trailing zeros: 12500000n → "12.5 ꜩ",
 * 1400n → "0.0014 ꜩ". Integer arithmetic only, so no amount is ever rounded.
 */
export function formatTez(mutez: bigint): string {
  const sign = mutez < 0n ? '-' : '';
  const magnitude = mutez < 0n ? -mutez : mutez;
  const whole = magnitude / MUTEZ_PER_TEZ;
  const fraction = (magnitude % MUTEZ_PER_TEZ).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`} ꜩ`;
}

/**
 * Mutez of a decimal tez amount as a person writes it ("12.5", "0.0014", "100"), at most six
 * decimals; INVALID_ENCODING otherwise. For limits in configuration files.
 */
export function parseTez(text: string): bigint {
  const match = typeof text === 'string' ? TEZ_TEXT.exec(text.trim()) : null;
  if (match === null) throw invalidEncoding(`expected an amount of tez such as 12.5 (at most 6 decimals), got ${JSON.stringify(text)}`);
  const [, whole = '0', fraction = ''] = match;
  return BigInt(whole) * MUTEZ_PER_TEZ + BigInt(fraction.padEnd(DECIMALS, '0'));
}
