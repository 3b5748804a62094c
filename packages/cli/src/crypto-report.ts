import { CRYPTO_ENV, cryptoImplementations, type CryptoChoice } from '@tezsigner/core';

/** A curve runs in JavaScript when core chose noble for it (by choice, as P-256, or as a fallback). */
const inJavaScript = (implementation: string): boolean => implementation.startsWith('noble');

const list = (curves: readonly string[]): string => (curves.length < 2 ? curves.join('') : `${curves.slice(0, -1).join(', ')} and ${curves.at(-1) ?? ''}`);

/**
 * What `serve` says at start about its crypto, in plain words: which curves run on native code
 * and which in JavaScript, then a warning for each curve that fell back to a slower implementation
 * (a missing prebuilt binary, no compiler at install: still correct) and for a switch value that
 * was ignored.
 */
export function cryptoReport(choice: CryptoChoice = cryptoImplementations()): string[] {
  const native = choice.implementations.filter(({ implementation }) => !inJavaScript(implementation)).map(({ curve }) => curve);
  const javascript = choice.implementations.filter(({ implementation }) => inJavaScript(implementation)).map(({ curve }) => curve);
  const parts = [...(native.length === 0 ? [] : [`${list(native)} on native code`]), ...(javascript.length === 0 ? [] : [`${list(javascript)} in JavaScript`])];
  return [
    `crypto: ${parts.join('; ')}${choice.forced ? ` (${CRYPTO_ENV}=noble)` : ''}`,
    ...choice.implementations.flatMap(({ curve, implementation, fallback }) => {
      if (fallback === undefined) return [];
      const where = inJavaScript(implementation) ? 'in JavaScript, several times slower' : `on ${implementation}, slower`;
      return [`warning: ${curve} runs ${where} (same signatures): ${fallback}`];
    }),
    ...(choice.warning === undefined ? [] : [`warning: ${choice.warning}`]),
  ];
}
