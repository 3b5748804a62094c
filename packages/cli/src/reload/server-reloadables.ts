import { readTlsMaterial, type RunningSignerServer, type TlsFiles } from '@tezsigner/http-server';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';
import type { Reloadable } from './reloadable.js';

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
      server.replaceTls(await readTlsMaterial(files));
      return 'used by new connections';
    },
  };
}
