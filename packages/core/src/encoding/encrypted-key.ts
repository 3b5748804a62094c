import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { pbkdf2, pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { b58cDecode, b58cEncode } from './base58.js';
import { TezsignerError } from '../errors.js';
import type { Curve } from '../curve.js';
import { CURVE_PREFIXES, curveOfDecoded, ENCRYPTED_SECRET_KEY_PREFIXES as ENCRYPTED_PREFIXES, type PrefixName } from './prefixes.js';
import { assertSecretKey, type SecretKey } from './secret-key.js';

// octez `src/lib_signer_backends/encrypted.ml`: salt(8) ‖ secretbox(seed or scalar) with a
// key stretched by PBKDF2-HMAC-SHA512 and an all-zero nonce (safe: every salt gives a new key).
const SALT_LENGTH = 8;
const ROUNDS = 32768;
const NONCE = new Uint8Array(24);

function boxKey(passphrase: string, salt: Uint8Array): Uint8Array {
  return pbkdf2(sha512, new TextEncoder().encode(passphrase), salt, { c: ROUNDS, dkLen: 32 });
}

// Same key from the platform's native PBKDF2 (WebCrypto), about ten times faster than the
// pure-JS one; noble's async version where WebCrypto is missing.
async function boxKeyAsync(passphrase: string, salt: Uint8Array): Promise<Uint8Array> {
  const password = new TextEncoder().encode(passphrase);
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return pbkdf2Async(sha512, password, salt, { c: ROUNDS, dkLen: 32 });
  const base = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const params = { name: 'PBKDF2', hash: 'SHA-512', salt, iterations: ROUNDS };
  return new Uint8Array(await subtle.deriveBits(params, base, 256));
}

function seal(sk: SecretKey, salt: Uint8Array, key: Uint8Array): string {
  const box = xsalsa20poly1305(key, NONCE).encrypt(sk.bytes);
  const payload = new Uint8Array(SALT_LENGTH + box.length);
  payload.set(salt, 0);
  payload.set(box, SALT_LENGTH);
  return b58cEncode(payload, CURVE_PREFIXES[sk.curve].encryptedSecretKey);
}

function parse(text: string): { prefix: PrefixName; curve: Curve; salt: Uint8Array; box: Uint8Array } {
  const { prefix, payload } = b58cDecode(text, ENCRYPTED_PREFIXES, 'an edesk/spesk/p2esk/BLesk encrypted secret key');
  const curve = curveOfDecoded(prefix, 'encryptedSecretKey');
  return { prefix, curve, salt: payload.subarray(0, SALT_LENGTH), box: payload.subarray(SALT_LENGTH) };
}

function open({ prefix, curve, box }: ReturnType<typeof parse>, key: Uint8Array): SecretKey {
  const bytes = openBox(box, key, `wrong passphrase for this ${prefix} key`);
  assertSecretKey(curve, bytes);
  return { curve, bytes };
}

function openBox(box: Uint8Array, key: Uint8Array, wrong: string): Uint8Array {
  try {
    return xsalsa20poly1305(key, NONCE).decrypt(box);
  } catch {
    throw new TezsignerError('WRONG_PASSPHRASE', wrong);
  }
}

/** Whether the text is (by its leading letters) an encrypted key: edesk/spesk/p2esk/BLesk. */
export function isEncryptedSecretKey(text: string): boolean {
  return typeof text === 'string' && ENCRYPTED_PREFIXES.some((prefix) => text.startsWith(prefix));
}

/** edesk/spesk/p2esk/BLesk text, with a fresh random salt each time. */
export function encryptSecretKey(sk: SecretKey, passphrase: string): string {
  assertSecretKey(sk.curve, sk.bytes);
  const salt = randomBytes(SALT_LENGTH);
  return seal(sk, salt, boxKey(passphrase, salt));
}

/** The plain key inside an encrypted one; WRONG_PASSPHRASE when the box does not open. */
export function decryptSecretKey(text: string, passphrase: string): SecretKey {
  const parsed = parse(text);
  return open(parsed, boxKey(passphrase, parsed.salt));
}

/** encryptSecretKey with the platform's native PBKDF2: prefer it wherever a promise is fine. */
export async function encryptSecretKeyAsync(sk: SecretKey, passphrase: string): Promise<string> {
  assertSecretKey(sk.curve, sk.bytes);
  const salt = randomBytes(SALT_LENGTH);
  return seal(sk, salt, await boxKeyAsync(passphrase, salt));
}

/** decryptSecretKey with the platform's native PBKDF2: prefer it wherever a promise is fine. */
export async function decryptSecretKeyAsync(text: string, passphrase: string): Promise<SecretKey> {
  const parsed = parse(text);
  return open(parsed, await boxKeyAsync(passphrase, parsed.salt));
}

/**
 * Any bytes sealed exactly as an encrypted key's are (a fresh random salt, the same PBKDF2 and
 * rounds, secretbox), returned as salt ‖ box: for what holds secret keys and must cost a
 * passphrase guess what one key file costs (the local vault's unlock cache), no more, no less.
 */
export async function sealWithPassphraseAsync(bytes: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const salt = randomBytes(SALT_LENGTH);
  const box = xsalsa20poly1305(await boxKeyAsync(passphrase, salt), NONCE).encrypt(bytes);
  const sealed = new Uint8Array(SALT_LENGTH + box.length);
  sealed.set(salt, 0);
  sealed.set(box, SALT_LENGTH);
  return sealed;
}

/** What sealWithPassphraseAsync sealed; WRONG_PASSPHRASE when it does not open (another passphrase, or damaged). */
export async function openWithPassphraseAsync(sealed: Uint8Array, passphrase: string): Promise<Uint8Array> {
  if (sealed.length < SALT_LENGTH) throw new TezsignerError('WRONG_PASSPHRASE', 'the sealed bytes are too short to hold a salt');
  const salt = sealed.subarray(0, SALT_LENGTH);
  return openBox(sealed.subarray(SALT_LENGTH), await boxKeyAsync(passphrase, salt), 'wrong passphrase, or the sealed bytes are damaged');
}
