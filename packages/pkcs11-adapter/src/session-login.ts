import { configInvalid } from '@tezsigner/core';
import type { HostLane } from './module-host/module-host.js';
import { ckrName } from './pkcs11-failure.js';
import type { Handle, Pkcs11js } from './pkcs11js-loader.js';
import { describeSelector, type TokenSelector } from './token-selector.js';

const PIN_REFUSALS = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_LOCKED', 'CKR_PIN_EXPIRED', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE']);

/** The token refused the PIN: never tried again, since a few more wrong PINs would lock the token. */
export class PinRefused extends Error {
  override readonly name = 'PinRefused';
}

export interface LoginOptions {
  readonly binding: Pkcs11js;
  readonly slot: Handle;
  readonly token: TokenSelector;
  readonly pin: string;
  readonly readWrite: boolean;
}

/**
 * Loads the module on `lane` (when it is not yet), opens a session and logs in: once per
 * process, so later logins find it done. A refused PIN is a CONFIG_INVALID whose cause is a
 * PinRefused; a token without a user PIN says how to set one.
 */
export async function openLoggedInSession(lane: HostLane, options: LoginOptions): Promise<Handle> {
  const { binding } = options;
  await lane.request('init');
  const flags = binding.CKF_SERIAL_SESSION | (options.readWrite ? binding.CKF_RW_SESSION : 0);
  const session = await lane.request<Handle>('call', 'C_OpenSession', [options.slot, flags]);
  try {
    await lane.request('call', 'C_Login', [session, binding.CKU_USER, options.pin]);
  } catch (err) {
    const name = ckrName(err);
    if (name === 'CKR_USER_ALREADY_LOGGED_IN') return session;
    await lane.request('call', 'C_CloseSession', [session]).catch(() => undefined);
    if (name !== undefined && PIN_REFUSALS.has(name)) {
      throw configInvalid(`the ${describeSelector(options.token)} refused the PIN (${name})`, new PinRefused(name));
    }
    if (name === 'CKR_USER_PIN_NOT_INITIALIZED') {
      throw configInvalid(`the ${describeSelector(options.token)} has no user PIN yet: set one first (pkcs11-tool --init-pin, or the HSM vendor's tool)`);
    }
    throw err;
  }
  return session;
}
