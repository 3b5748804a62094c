import { resolve } from 'node:path';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';
import { CommandChild, type Exit } from './command-child.js';
import { MAIN } from './serve-child.js';

const REPO = resolve(import.meta.dirname, '../../../..');

/**
 * One `tezsigner` command line as its own process (the shipped entry, bundled from the sources),
 * with no terminal and no Azure identity of this machine. Killed after `timeoutMs`, which a
 * test checks for (`killed`): a command that hangs fails its test, it does not hold the run.
 */
export async function tezsignerProcess(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Exit & { readonly killed: boolean }> {
  const node = await nodeEntry(MAIN);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|IDENTITY_|MSI_|TEZSIGNER_)/.test(name)));
  const command = new CommandChild(process.execPath, [...node.args, ...args], { cwd: REPO, env: { ...inherited, ...node.env, ...env } });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    command.kill();
  }, timeoutMs);
  try {
    return { ...(await command.exited), killed };
  } finally {
    clearTimeout(timer);
  }
}

/** The one error line a failed command printed (`tezsigner: error: …`), or why there is not exactly one. */
export function errorLine(exit: Exit): string {
  const errors = exit.stderr.split('\n').filter((line) => line.startsWith('tezsigner: error: '));
  if (exit.code === 0 || errors.length !== 1) throw new Error(`expected a failure with one error line, got exit ${exit.code}: ${exit.stderr}`);
  return errors[0] ?? '';
}
