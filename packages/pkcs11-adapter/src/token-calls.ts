import type { Handle } from './pkcs11js-loader.js';
import type { TokenSession } from './token-sessions.js';

/** A template attribute as pkcs11js takes it. */
export interface TemplateAttribute {
  readonly type: number;
  readonly value: Uint8Array | string | number | boolean;
}

/** One function of the module on the session's thread, e.g. call(token, 'C_GetMechanismList', token.slot). */
export function call<T>(token: TokenSession, method: string, ...args: unknown[]): Promise<T> {
  return token.lane.request<T>('call', method, args);
}

/** Every object matching `template` (C_FindObjectsInit, C_FindObjects…, C_FindObjectsFinal in one round trip). */
export function findObjects(token: TokenSession, template: readonly TemplateAttribute[]): Promise<Handle[]> {
  return token.lane.request<Handle[]>('find', token.session, template);
}

/** The attributes `types` of one object, each undefined where the object has none (or keeps it secret). */
export async function attributes(token: TokenSession, handle: Handle, types: readonly number[]): Promise<(Uint8Array | undefined)[]> {
  const values = await token.lane.request<(Uint8Array | null)[]>('attributes', token.session, handle, types);
  return values.map((value) => value ?? undefined);
}
