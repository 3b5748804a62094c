import type { BuildOptions } from 'esbuild';

/** esbuild's options for bundling `entry` (a TypeScript file) into `outfile` (see bundle-options.mjs). */
export function commandBundleOptions(entry: string, outfile: string): BuildOptions;
