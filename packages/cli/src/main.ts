#!/usr/bin/env node
import { failureReport } from './io/describe-failure.js';
import { processIo, runAsProcess } from './io/process-io.js';
import { runCli } from './program.js';

// runCli turns every failure of a command into one line; this catches what escapes a command
// (an error thrown from a callback), so a user never sees a stack trace either way.
const fatal = (err: unknown): void => {
  process.stderr.write(failureReport(err, process.env));
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

await runAsProcess(() => runCli(process.argv.slice(2), processIo()));
