import { TezsignerError, b58cDecode, isAddress } from '@tezsigner/core';

/** What the files of other signers are checked with: each fault names the file and the place. */
export type Fault = (why: string) => Error;

export const faultIn = (file: string): Fault => (why) => new TezsignerError('BAD_REQUEST', `${file}: ${why}`);

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file's text as a JSON object, whose entries are `what`. */
export function jsonObjectOf(text: string, bad: Fault, what: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(document)) throw bad(`not an object of ${what}`);
  return document;
}

/** The text of one of octez's alias files (secret_keys, public_keys…): a JSON list of {name, value}. */
export function aliasListOf(text: string, file: string): unknown[] {
  const bad = faultIn(file);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!Array.isArray(document)) throw bad('not a list of {name, value}');
  return document;
}

export function checkChainId(chainId: string, bad: Fault): void {
  try {
    b58cDecode(chainId, 'Net', 'chain id');
  } catch {
    throw bad(`${chainId} is not a chain id (Net…)`);
  }
}

export function checkImplicitAddress(pkh: string, bad: Fault): void {
  if (!isAddress(pkh) || !/^tz[1-4]/.test(pkh)) throw bad(`${pkh}: not a tz1–tz4 address`);
}

/** level and round as octez and Signatory write them: int32, never negative */
export const isInt32Mark = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0x7fffffff;
