// `pnpm bench`: every benchmark of the workspace, one after the other, in one process run,
// so the ratios printed compare figures taken on the same machine at the same time.
const suites: Array<[string, () => Promise<{ run: () => Promise<void> }>]> = [
  ['crypto', () => import('./crypto.js')],
  ['signer service', () => import('./signer.js')],
  ['policy and audit', () => import('./policy.js')],
  ['operation decoder', () => import('./operation-decoder.js')],
  ['file store', () => import('./file-store.js')],
  ['watermark stores', () => import('./stores.js')],
  ['http', () => import('./http.js')],
  ['commit floor', () => import('./commit.js')],
  ['azure key vault', () => import('./azure-key-vault.js')],
  ['pkcs11', () => import('./pkcs11.js')],
];

const only = process.argv[2];
for (const [name, load] of suites) {
  if (only !== undefined && !name.includes(only)) continue;
  console.log(`\n## ${name}`);
  await (await load()).run();
}
