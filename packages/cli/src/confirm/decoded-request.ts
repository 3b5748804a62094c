import { blake2b256, bytesToHex, decodeAddress, hexToBytes, isTezsignerError, parseRequest, type SigningRequest } from '@tezsigner/core';
import type { PendingView } from '@tezsigner/http-server';

/**
 * A held request as `tezsigner confirm` knows it: the id, key and bytes the signer (or whatever
 * answers on its admin socket) gave, and what confirm itself makes of those bytes: their
 * BLAKE2b-256 hash and their decoding by core's decoder. An approval names that id, that key and
 * this hash, so it approves these bytes or nothing.
 */
export interface DecodedRequest {
  readonly id: string;
  readonly key: string;
  readonly bytes: Uint8Array;
  /** computed here, from `bytes` */
  readonly hash: string;
  /** decoded here; undefined when the bytes are not a request this version can read */
  readonly request?: SigningRequest;
  /** why the bytes could not be decoded (such a request can only be refused from here) */
  readonly problem?: string;
  /** the chain the signer says the bytes name, when it says one */
  readonly signerChain?: string;
  /** what the signer says of it: not part of what is signed */
  readonly rule: string;
  readonly reason: string;
  readonly receivedAt: string;
  readonly ageMs: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** What confirm makes of one entry of `GET /pending`, whatever the entry holds. */
export function decodeRequest(view: PendingView): DecodedRequest {
  const shown = {
    id: text(view.id),
    key: text(view.key),
    ...(view.chain === undefined ? {} : { signerChain: text(view.chain) }),
    rule: text(view.rule),
    reason: text(view.reason),
    receivedAt: text(view.received_at),
    ageMs: Number(view.age_ms) || 0,
  };
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(text(view.bytes));
  } catch {
    return { ...shown, bytes: new Uint8Array(), hash: bytesToHex(blake2b256(new Uint8Array())), problem: 'the signer sent no readable bytes for it' };
  }
  const hash = bytesToHex(blake2b256(bytes));
  try {
    return { ...shown, bytes, hash, request: parseRequest(bytes, decodeAddress(shown.key).curve) };
  } catch (err) {
    if (!isTezsignerError(err)) throw err;
    return { ...shown, bytes, hash, problem: `its bytes cannot be decoded here (${err.message})` };
  }
}

/** The chain a request's bytes name (blocks and consensus operations); undefined for the others. */
export function chainOf(request: SigningRequest | undefined): string | undefined {
  return request !== undefined && 'chainId' in request ? request.chainId : undefined;
}
