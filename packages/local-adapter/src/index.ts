export { openHome, resolveHomePath, HOME_ENV } from './home.js';
export type { Home, HomeOptions } from './home.js';
export { resolvePassphrase, PASSPHRASE_ENV, PASSPHRASE_FILE_ENV } from './passphrase.js';
export type { PassphraseOptions } from './passphrase.js';
export { LocalKeyVault } from './key-vault.js';
export type { AddKeyOptions, ImportKeyOptions, LocalKeyVaultOptions, VaultKeyInfo } from './key-vault.js';
export { FileWatermarkStore } from './file-watermark-store.js';
export type { FileWatermarkStoreOptions } from './file-watermark-store.js';
