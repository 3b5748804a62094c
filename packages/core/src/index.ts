export * from './errors.js';
export * from './curve.js';
export * from './watermark.js';
export type * from './ports/key-provider.js';
export * from './ports/watermark-store.js';
