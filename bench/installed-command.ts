// The command a baker runs: install.sh's own steps, run into a prefix of the bench's, so the
// page measures what ships (the bundled single file, installed by npm), not the sources.
// TEZSIGNER_BENCH_COMMAND names an installed `tezsigner` to use instead (while working on the
// bench itself); the page then says which command it measured.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface InstalledCommand {
  readonly path: string;
  /** how it came to be, for the page */
  readonly origin: string;
}

export async function installCommand(prefix: string): Promise<InstalledCommand> {
  const given = process.env['TEZSIGNER_BENCH_COMMAND'];
  if (given !== undefined && given !== '') return { path: given, origin: `the command at ${given} (TEZSIGNER_BENCH_COMMAND)` };
  const started = performance.now();
  await promisify(execFile)(join(REPO, 'install.sh'), [], { env: { ...process.env, PREFIX: prefix }, cwd: REPO });
  const seconds = (performance.now() - started) / 1000;
  console.log(`installed the command with install.sh into ${prefix} (${seconds.toFixed(0)} s)`);
  return { path: join(prefix, 'bin', 'tezsigner'), origin: 'installed by `install.sh` into a folder of the run (PREFIX), as a baker installs it' };
}
