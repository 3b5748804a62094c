// @ts-check
// How an entry point of the command is bundled into one ES module file: by pack-command.mjs for
// the installed command, and by the tests that restart `serve` many times (a bundle starts on
// node alone, without loading every source through tsx).

/**
 * esbuild's options for bundling `entry` (a TypeScript file) into `outfile`.
 * @param {string} entry
 * @param {string} outfile
 * @returns {import('esbuild').BuildOptions}
 */
export function commandBundleOptions(entry, outfile) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // workspace packages from their TypeScript sources, as the tests run them
    conditions: ['source'],
    // CommonJS dependencies inside an ES module still call require() and read __dirname
    banner: {
      js: [
        "import { createRequire as __tezsignerCreateRequire } from 'node:module';",
        "import { fileURLToPath as __tezsignerFileURLToPath } from 'node:url';",
        'const require = __tezsignerCreateRequire(import.meta.url);',
        'const __filename = __tezsignerFileURLToPath(import.meta.url);',
        "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
      ].join('\n'),
    },
    legalComments: 'eof',
    logLevel: 'warning',
  };
}
