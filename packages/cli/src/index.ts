export { buildProgram, runCli } from './program.js';
export type { CliIo } from './io/cli-io.js';
export { processIo } from './io/process-io.js';
