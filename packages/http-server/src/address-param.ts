import { TezsignerError, isAddress } from '@tezsigner/core';

/** The `<pkh>` of a path, checked before anything looks it up. */
export function addressParam(value: string | undefined): string {
  if (value === undefined || !isAddress(value)) {
    throw new TezsignerError(
      'INVALID_ENCODING',
      `${JSON.stringify(value ?? '')} is not a Tezos address (tz1…, tz2…, tz3… or tz4…)`,
    );
  }
  return value;
}
