import { PIN_ENV } from './pin.js';

/** Variables the module never needs and must never see: the signer's secrets, and its own options for Node. */
const WITHHELD = [PIN_ENV, 'TEZSIGNER_PASSPHRASE', 'AZURE_TABLE_CONNECTION_STRING', 'AZURE_CLIENT_SECRET', 'NODE_OPTIONS'];

/** The signer's environment as the module's host process gets it: the module's settings (SOFTHSM2_CONF, …), not the signer's secrets. */
export function moduleEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = { ...env };
  for (const name of WITHHELD) delete kept[name];
  return kept;
}
