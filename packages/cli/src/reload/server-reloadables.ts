import { readTlsMaterial, type RunningSignerServer, type TlsFiles } from '@tezsigner/http-server';
import { configInvalid, policyMayConfirm, signableMagicBytes, type PolicyGatekeeper } from '@tezsigner/core';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';
import { readPolicyFile } from '../policy/file.js';
import type { Reloadable } from './reloadable.js';
import { refuseOpenTlsFiles } from '../io/file-mode.js';

/** The authorized keys file, re-read and decoded whole before the server uses it. */
export function authorizedKeysReloadable(file: string, server: Pick<RunningSignerServer, 'replaceAuthorizedKeys'>): Reloadable {
  return {
    name: `authorized keys ${file}`,
    async reload() {
      const keys = await readAuthorizedKeysFile(file);
      server.replaceAuthorizedKeys(keys);
      return `${keys.length} key(s)`;
    },
  };
}

/** Certificate, key and client CA, checked to match before new connections use them. */
export function tlsReloadable(files: TlsFiles, server: Pick<RunningSignerServer, 'replaceTls'>): Reloadable {
  return {
    name: `TLS certificate ${files.cert}`,
    async reload() {
      await refuseOpenTlsFiles(files);
      server.replaceTls(await readTlsMaterial(files));
      return 'used by new connections';
    },
  };
}

/**
 * The policy file, read and checked whole before it judges new requests. A policy that needs
 * confirmations is refused when the signer started without them (no admin channel is open).
 */
export function policyReloadable(file: string, gatekeeper: Pick<PolicyGatekeeper, 'replacePolicy'>, confirming: boolean): Reloadable {
  return {
    name: `policy ${file}`,
    async reload() {
      const policy = await readPolicyFile(file);
      // a policy that denies everything is valid: the emergency stop
      const signable = signableMagicBytes(policy);
      if (policyMayConfirm(policy) && !confirming) throw configInvalid(`the policy ${file} asks for confirmations: restart the signer to open its admin channel`);
      gatekeeper.replacePolicy(policy);
      return `${signable.length} kind(s) of request may be signed`;
    },
  };
}
