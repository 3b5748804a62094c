import { configInvalid, quoted } from '@tezsigner/core';

/** Which token to open: by its label, its serial number, or the index of its slot in the module's list. */
export type TokenSelector = { readonly label: string } | { readonly serial: string } | { readonly slotIndex: number };

export interface TokenFacts {
  readonly label: string;
  readonly serialNumber: string;
  /** CK_TOKEN_INFO flags (CKF_TOKEN_INITIALIZED, CKF_USER_PIN_INITIALIZED, …) */
  readonly flags?: number;
}

export function describeSelector(selector: TokenSelector): string {
  if ('label' in selector) return `token labelled ${quoted(selector.label)}`;
  if ('serial' in selector) return `token with serial ${quoted(selector.serial)}`;
  return `token in slot #${selector.slotIndex}`;
}

/** The index, among the slots that hold a token, of the one the selector names; undefined when none. */
export function pickSlot(selector: TokenSelector, tokens: readonly (TokenFacts | undefined)[]): number | undefined {
  if ('slotIndex' in selector) return tokens[selector.slotIndex] === undefined ? undefined : selector.slotIndex;
  // the module pads labels and serials with spaces to their fixed width
  const matches = (token: TokenFacts | undefined): boolean =>
    token !== undefined && ('label' in selector ? token.label.trimEnd() === selector.label : token.serialNumber.trim() === selector.serial);
  const index = tokens.findIndex(matches);
  if (index >= 0 && tokens.findIndex((token, i) => i > index && matches(token)) >= 0) {
    throw configInvalid(`more than one ${describeSelector(selector)}: select it by serial instead`);
  }
  return index < 0 ? undefined : index;
}

/** The selector from the options: exactly one of label, serial, slot index. */
export function tokenSelector(options: { label?: string | undefined; serial?: string | undefined; slot?: string | undefined }): TokenSelector {
  const given = [options.label, options.serial, options.slot].filter((value) => value !== undefined);
  if (given.length !== 1) throw configInvalid('name the PKCS#11 token by exactly one of its label, its serial number or its slot index');
  if (options.label !== undefined) return { label: options.label };
  if (options.serial !== undefined) return { serial: options.serial };
  if (!/^\d{1,4}$/.test(options.slot ?? '')) throw configInvalid(`PKCS#11 slot index ${quoted(options.slot ?? '')}: expected a number from 0`);
  return { slotIndex: Number(options.slot) };
}
