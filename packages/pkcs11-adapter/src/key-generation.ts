import { randomBytes } from 'node:crypto';
import { backendUnavailable, configInvalid, encodePublicKey, isTezsignerError, publicKeyHash, quoted, type KeyInfo } from '@tezsigner/core';
import { tezosPublicKey } from './ec-point.js';
import { CKM_EDDSA, CURVE_ON_TOKEN, type TokenCurve } from './mechanisms.js';
import { describePkcs11Error } from './pkcs11-failure.js';
import type { Handle } from './pkcs11js-loader.js';
import { stderrLogger, type Pkcs11Logger } from './pkcs11-logger.js';
import { attributes, call, findObjects } from './token-calls.js';
import { describeSelector } from './token-selector.js';
import { TokenSessions, type TokenOptions } from './token-sessions.js';

export interface GenerateOptions extends Omit<TokenOptions, 'logger' | 'readWrite' | 'maxSessions'> {
  readonly curve: TokenCurve;
  /** CKA_LABEL of both key objects; unique among the token's private keys */
  readonly label: string;
  readonly logger?: Pkcs11Logger | undefined;
}

/**
 * A new key pair made inside the token: the private key a token object (CKA_TOKEN) that never
 * leaves it (CKA_SENSITIVE, not CKA_EXTRACTABLE), both objects sharing a random CKA_ID and the
 * label, so that the listing pairs them. Returns the key's address and public key.
 */
export async function generateTokenKey(options: GenerateOptions): Promise<KeyInfo> {
  if (!/^[\x20-\x7e]{1,64}$/.test(options.label)) throw configInvalid(`key label ${quoted(options.label)}: 1 to 64 printable ASCII characters`);
  const sessions = new TokenSessions({ ...options, maxSessions: 1, readWrite: true, logger: options.logger ?? stderrLogger });
  try {
    await sessions.open();
    return await sessions.use(async (token) => {
      const { pkcs11 } = token;
      const curve = CURVE_ON_TOKEN[options.curve];
      const mechanisms = await call<number[]>(token, 'C_GetMechanismList', token.slot);
      if (!mechanisms.includes(curve.generate) || (options.curve === 'ed25519' && !mechanisms.includes(CKM_EDDSA))) {
        throw configInvalid(`the ${describeSelector(options.token)} cannot make and use ${options.curve} keys (its module lacks the mechanism)`);
      }
      const existing = await findObjects(token, [
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY },
        { type: pkcs11.CKA_LABEL, value: options.label },
      ]);
      if (existing.length > 0) throw configInvalid(`the ${describeSelector(options.token)} already holds a private key labelled ${quoted(options.label)}`);
      const id = randomBytes(16);
      const shared = [
        { type: pkcs11.CKA_TOKEN, value: true },
        { type: pkcs11.CKA_ID, value: id },
        { type: pkcs11.CKA_LABEL, value: options.label },
      ];
      let pair: { publicKey: Handle; privateKey: Handle };
      try {
        pair = await call(
          token,
          'C_GenerateKeyPair',
          token.session,
          { mechanism: curve.generate },
          [...shared, { type: pkcs11.CKA_EC_PARAMS, value: curve.params }, { type: pkcs11.CKA_VERIFY, value: true }, { type: pkcs11.CKA_PRIVATE, value: false }],
          [
            ...shared,
            { type: pkcs11.CKA_SIGN, value: true },
            { type: pkcs11.CKA_PRIVATE, value: true },
            { type: pkcs11.CKA_SENSITIVE, value: true },
            { type: pkcs11.CKA_EXTRACTABLE, value: false },
          ],
        );
      } catch (err) {
        throw backendUnavailable(`the ${describeSelector(options.token)} did not make a ${options.curve} key: ${describePkcs11Error(err)}`, err);
      }
      const [point] = await attributes(token, pair.publicKey, [pkcs11.CKA_EC_POINT]);
      const publicKey = tezosPublicKey(options.curve, point ?? new Uint8Array());
      return { pkh: publicKeyHash(options.curve, publicKey), curve: options.curve, publicKey: encodePublicKey(options.curve, publicKey), label: options.label };
    }, 60_000);
  } catch (err) {
    if (isTezsignerError(err)) throw err;
    throw backendUnavailable(`key generation on the ${describeSelector(options.token)} failed: ${describePkcs11Error(err)}`, err);
  } finally {
    await sessions.close();
  }
}
