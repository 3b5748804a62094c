import { sha256 } from '../crypto/sha256.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** 58^5: five base58 digits per limb, small enough that limb × 2^16 + carry stays an exact double */
const LIMB = 656_356_768;

/**
 * Base58 of `bytes`, each leading zero byte a '1'. bs58check's encoder works one base58 digit
 * and one byte at a time (quadratic in both); this takes two bytes into limbs of five digits,
 * about ten times fewer steps: it is on every signature's answer.
 */
export function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const limbs: number[] = [];
  let i = zeros;
  // an odd count takes its first byte alone, then two at a time
  if ((bytes.length - zeros) % 2 === 1) limbs.push(bytes[i++] as number);
  for (; i < bytes.length; i += 2) {
    let carry = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    for (let j = 0; j < limbs.length; j++) {
      const value = (limbs[j] as number) * 65_536 + carry;
      carry = Math.floor(value / LIMB);
      limbs[j] = value - carry * LIMB;
    }
    while (carry > 0) {
      limbs.push(carry % LIMB);
      carry = Math.floor(carry / LIMB);
    }
  }
  let text = '';
  for (let j = 0; j < limbs.length; j++) {
    let limb = limbs[j] as number;
    const last = j === limbs.length - 1;
    // every limb but the most significant is five digits, its leading '1's included
    for (let d = 0; d < 5 && (!last || limb > 0); d++) {
      text = ALPHABET[limb % 58] + text;
      limb = Math.floor(limb / 58);
    }
  }
  return '1'.repeat(zeros) + text;
}

/** Base58check: base58 of `data` followed by the first four bytes of its double SHA-256. */
export function base58check(data: Uint8Array): string {
  const checksum = sha256(sha256(data));
  const whole = new Uint8Array(data.length + 4);
  whole.set(data, 0);
  whole.set(checksum.subarray(0, 4), data.length);
  return base58(whole);
}
