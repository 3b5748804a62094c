/** The version `tezsigner --version` prints; a test keeps it equal to packages/cli/package.json's. */
export const VERSION = '0.1.0';
