import { backendUnavailable, configInvalid, quoted } from '@tezsigner/core';
import type { HostLane } from './module-host/module-host.js';
import type { Handle } from './pkcs11js-loader.js';
import { describeSelector, pickSlot, type TokenFacts, type TokenSelector } from './token-selector.js';

const CKF_USER_PIN_INITIALIZED = 0x8;
const CKF_TOKEN_INITIALIZED = 0x400;

/** The slot of the token `selector` names, as the module on `lane` lists them; a token not ready to sign says why. */
export async function findTokenSlot(lane: HostLane, modulePath: string, selector: TokenSelector): Promise<Handle> {
  const slots = await lane.request<Handle[]>('call', 'C_GetSlotList', [true]);
  const facts: (TokenFacts | undefined)[] = [];
  for (const slot of slots) {
    // a slot whose token went away between the two calls
    facts.push(await lane.request<TokenFacts>('call', 'C_GetTokenInfo', [slot]).catch(() => undefined));
  }
  const index = pickSlot(selector, facts);
  if (index === undefined) throw backendUnavailable(missingToken(selector, modulePath, facts));
  const unready = unreadyToken(selector, modulePath, facts[index] as TokenFacts, slotId(slots[index] as Handle));
  if (unready !== undefined) throw configInvalid(unready);
  return slots[index] as Handle;
}

/** Why no token matches, with the tokens there are and what initializes one. */
export function missingToken(selector: TokenSelector, modulePath: string, tokens: readonly (TokenFacts | undefined)[]): string {
  const present = tokens.filter((token): token is TokenFacts => token !== undefined);
  const ready = present.filter(initialized);
  const parts = [`${present.length} token(s)`];
  if (ready.length > 0) parts.push(`labelled ${ready.map((token) => quoted(token.label.trimEnd())).join(', ')}`);
  const fresh = present.length - ready.length;
  if (fresh > 0) parts.push(`${fresh} not initialized (${initCommand(modulePath, 'label' in selector ? selector.label : '<label>')} initializes one)`);
  return `no ${describeSelector(selector)} in ${modulePath} (${parts.join('; ')})`;
}

/** Why the token found cannot be logged in to yet (never initialized, or no user PIN), else undefined. */
export function unreadyToken(selector: TokenSelector, modulePath: string, token: TokenFacts, slot: string): string | undefined {
  if (token.flags === undefined) return undefined;
  const label = 'label' in selector ? selector.label : '<label>';
  if (!initialized(token)) return `the ${describeSelector(selector)} is not initialized: initialize it first (${initCommand(modulePath, label, slot)})`;
  if ((token.flags & CKF_USER_PIN_INITIALIZED) === 0) {
    return `the ${describeSelector(selector)} has no user PIN yet: set one first (pkcs11-tool --module ${modulePath} --slot ${slot} --init-pin --login --login-type so, or the HSM vendor's tool)`;
  }
  return undefined;
}

function initialized(token: TokenFacts): boolean {
  return token.flags === undefined || (token.flags & CKF_TOKEN_INITIALIZED) !== 0;
}

function initCommand(modulePath: string, label: string, slot?: string): string {
  const where = slot === undefined ? '--free' : `--slot ${slot}`;
  if (/softhsm/i.test(modulePath)) return `softhsm2-util --init-token ${where} --label ${label} --so-pin <SO PIN> --pin <user PIN>`;
  return `the HSM vendor's tool, or pkcs11-tool --module ${modulePath} --init-token --label ${label} --so-pin <SO PIN> then --init-pin`;
}

/** The slot's CK_SLOT_ID, as the vendors' tools take it (pkcs11js gives it as the bytes of a CK_ULONG). */
export function slotId(handle: Handle): string {
  let id = 0n;
  for (let i = handle.length - 1; i >= 0; i--) id = (id << 8n) | BigInt(handle[i] as number);
  return id.toString();
}
