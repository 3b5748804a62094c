import { TezsignerError, authenticationVerifier } from '@tezsigner/core';
import { authorizedKeyHash } from './authorized-key.js';

/**
 * Request authentication as octez does it: when authorized keys are configured, every
 * signing request carries `?authentication=<signature>` made by one of them over
 * 0x04 ‖ 0x01 ‖ pkh ‖ bytes. Authorized keys are public keys, not addresses: an address
 * cannot verify a signature.
 */
export interface Authenticator {
  /** true when signing requests must be authenticated */
  readonly required: boolean;
  /** the addresses of the authorized keys, as `GET /authorized_keys` lists them */
  readonly authorizedKeyHashes: readonly string[];
  /** Throws AUTH_REQUIRED (no signature) or AUTH_INVALID (not from an authorized key). */
  check(pkh: string, data: Uint8Array, signature: string | undefined): void;
}

export function createAuthenticator(authorizedKeys: readonly string[]): Authenticator {
  const hashes = authorizedKeys.map((key, index) => authorizedKeyHash(key, `authorized key #${index + 1}`));
  const required = authorizedKeys.length > 0;
  // the keys are decoded once, here: a BLS key's checks cost milliseconds
  const verify = authenticationVerifier(authorizedKeys);
  return {
    required,
    authorizedKeyHashes: hashes,
    check(pkh, data, signature) {
      if (!required) return;
      if (signature === undefined || signature === '') {
        throw new TezsignerError(
          'AUTH_REQUIRED',
          'this signer requires authentication: add ?authentication=<signature by an authorized key>',
        );
      }
      // a signature that is not even base58 is AUTH_INVALID from core itself
      if (!verify(pkh, data, signature)) {
        throw new TezsignerError('AUTH_INVALID', 'the authentication signature is not from an authorized key');
      }
    },
  };
}

/** An Authenticator whose keys can be replaced while requests are served (SIGHUP reload). */
export interface ReloadableAuthenticator extends Authenticator {
  /** Decodes `authorizedKeys` first: a bad key throws CONFIG_INVALID and the old keys stay. */
  replace(authorizedKeys: readonly string[]): void;
}

export function createReloadableAuthenticator(authorizedKeys: readonly string[]): ReloadableAuthenticator {
  let current = createAuthenticator(authorizedKeys);
  return {
    get required() {
      return current.required;
    },
    get authorizedKeyHashes() {
      return current.authorizedKeyHashes;
    },
    // a request checks against one set of keys, whole: the swap is a single assignment
    check: (pkh, data, signature) => current.check(pkh, data, signature),
    replace(keys) {
      current = createAuthenticator(keys);
    },
  };
}
