import { CRYPTO_ENV, cryptoImplementations, type CryptoChoice } from '@tezsigner/core';

/**
 * What `serve` says at start about its crypto: the implementation of each curve on one line,
 * then a warning for each curve that fell back to noble (a missing prebuilt binary: several
 * times slower, still correct) and for a switch value that was ignored.
 */
export function cryptoReport(choice: CryptoChoice = cryptoImplementations()): string[] {
  const curves = choice.implementations.map(({ curve, implementation }) => `${curve} ${implementation}`).join(', ');
  return [
    `crypto: ${curves}${choice.forced ? ` (${CRYPTO_ENV}=noble)` : ''}`,
    ...choice.implementations.flatMap(({ curve, fallback }) =>
      fallback === undefined ? [] : [`warning: ${curve} runs on noble (pure JS, several times slower): ${fallback}`],
    ),
    ...(choice.warning === undefined ? [] : [`warning: ${choice.warning}`]),
  ];
}
