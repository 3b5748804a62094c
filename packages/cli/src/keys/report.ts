import type { KeyInfo } from '@tezsigner/core';

/** What a person needs to know of a key, never its secret. */
export function keyReport(key: KeyInfo & { readonly encrypted?: boolean; readonly file?: string }): string {
  const lines = [
    `  address:    ${key.pkh}`,
    `  public key: ${key.publicKey}`,
    `  curve:      ${key.curve}`,
  ];
  if (key.encrypted !== undefined) lines.push(`  stored:     ${key.encrypted ? 'encrypted with the vault passphrase' : 'UNENCRYPTED (--plain)'}`);
  if (key.file !== undefined) lines.push(`  file:       ${key.file}`);
  return `${lines.join('\n')}\n`;
}
