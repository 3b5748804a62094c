#!/usr/bin/env node
import { processIo, runAsProcess } from './process-io.js';
import { runCli } from './program.js';

await runAsProcess(() => runCli(process.argv.slice(2), processIo()));
