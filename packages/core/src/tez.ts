const MUTEZ_PER_TEZ = 1_000_000n;

/** "12.5 ꜩ" for 12500000 mutez: the unit people read, with no trailing zeros. */
export function formatTez(mutez: bigint): string {
  const sign = mutez < 0n ? '-' : '';
  const abs = mutez < 0n ? -mutez : mutez;
  const whole = abs / MUTEZ_PER_TEZ;
  const fraction = (abs % MUTEZ_PER_TEZ).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`} ꜩ`;
}

/** Mutez in "12.5" tez (at most 6 decimals, never negative); undefined when it is not one. */
export function parseTez(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (match === null) return undefined;
  return BigInt(match[1] as string) * MUTEZ_PER_TEZ + BigInt((match[2] ?? '').padEnd(6, '0'));
}
