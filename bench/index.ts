// `pnpm bench`: every benchmark of the workspace, one after the other, in one process run,
// so the ratios printed compare figures taken on the same machine at the same time.
// `pnpm bench --write-docs`: the benchmark page's cases instead, written to docs/benchmarks.md
// and its chart.
const suites: Array<[string, () => Promise<{ run: () => Promise<unknown> }>]> = [
  ['crypto', () => import('./crypto.js')],
  ['signer service', () => import('./signer.js')],
  ['policy and audit', () => import('./policy.js')],
  ['spending ledger', () => import('./spending-ledger.js')],
  ['operation decoder', () => import('./operation-decoder.js')],
  ['file store', () => import('./file-store.js')],
  ['watermark stores', () => import('./stores.js')],
  ['http', () => import('./http.js')],
  ['commit floor', () => import('./commit.js')],
  ['azure key vault', () => import('./azure-key-vault.js')],
  ['pkcs11', () => import('./pkcs11.js')],
  ['seed, side by side', () => import('./seed.js')],
  ['pkcs11 faults', () => import('./pkcs11-faults.js')],
  ['bakery', () => import('./bakery.js')],
];

const args = process.argv.slice(2);
if (args.includes('--write-docs')) {
  await (await import('./write-docs.js')).writeDocs(new URL('../docs/', import.meta.url));
} else {
  const only = args[0];
  for (const [name, load] of suites) {
    if (only !== undefined && !name.includes(only)) continue;
    console.log(`\n## ${name}`);
    await (await load()).run();
  }
}
