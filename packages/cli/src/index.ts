export { buildProgram, runCli } from './program.js';
export type { CliIo } from './cli-io.js';
export { processIo } from './process-io.js';
