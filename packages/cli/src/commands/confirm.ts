import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TezsignerError } from '@tezsigner/core';
import type { PendingView } from '@tezsigner/http-server';
import { readAdminToken, resolveHomePath } from '@tezsigner/local-adapter';
import type { Command } from 'commander';
import { decidePending, listPending } from '../policy/admin-client.js';
import type { CliIo } from '../io/cli-io.js';
import { ADMIN_SOCKET_NAME, ADMIN_TOKEN_NAME } from '../policy/confirmations.js';

interface ConfirmOptions {
  readonly home?: string;
  readonly adminSocket?: string;
  readonly json?: boolean;
  readonly approve?: string[];
  readonly deny?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `tezsigner confirm`: the requests a running signer holds, each approved or refused by a person. */
export function registerConfirmCommand(program: Command, io: CliIo): void {
  program
    .command('confirm')
    .description('list the requests a running signer holds for confirmation and approve or refuse each [y/N]')
    .option('--home <dir>', 'the signer\'s home folder (default: $TEZSIGNER_HOME, else ~/.tezsigner)')
    .option('--admin-socket <path>', `the signer's admin socket (default: <home>/${ADMIN_SOCKET_NAME})`)
    .option('--json', 'print the pending requests as JSON, ask nothing (with --approve/--deny: answer those)')
    .option('--approve <id>', 'approve this pending request (repeatable), without asking', collect)
    .option('--deny <id>', 'refuse this pending request (repeatable), without asking', collect)
    .action((options: ConfirmOptions) => confirm(options, io));
}

function age(ms: number): string {
  return ms < 60_000 ? `${Math.floor(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
}

function describePending(request: PendingView): string {
  return [
    `request ${request.id}: ${request.summary}`,
    `  key ${request.key}, ${request.kind}${request.chain === undefined ? '' : ` on ${request.chain}`}, waiting for ${age(request.age_ms)}`,
    `  held by rule ${request.rule}: ${request.reason}`,
    '',
  ].join('\n');
}

async function confirm(options: ConfirmOptions, io: CliIo): Promise<void> {
  const home = resolveHomePath({ home: options.home, env: io.env });
  const socketPath = options.adminSocket ?? join(home, ADMIN_SOCKET_NAME);
  const token = await readAdminToken(join(home, ADMIN_TOKEN_NAME));
  const by = `${userInfo().username} (tezsigner confirm)`;

  const answers = [...(options.approve ?? []).map((id) => [id, true] as const), ...(options.deny ?? []).map((id) => [id, false] as const)];
  if (answers.length > 0) {
    const results = [];
    for (const [id, approve] of answers) results.push({ id, approve, answered: await decidePending(socketPath, token, id, approve, by) });
    if (options.json === true) io.stdout(`${JSON.stringify({ answered: results })}\n`);
    else for (const r of results) io.stdout(r.answered ? `request ${r.id} ${r.approve ? 'approved' : 'refused'}\n` : `request ${r.id} is not pending\n`);
    if (results.some((r) => !r.answered)) {
      throw new TezsignerError('BAD_REQUEST', 'some requests are not pending (answered already, timed out, or no such id): `tezsigner confirm --json` lists those that are');
    }
    return;
  }

  const pending = await listPending(socketPath, token);
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ pending })}\n`);
    return;
  }
  if (pending.length === 0) {
    io.stdout('no request is waiting for confirmation\n');
    return;
  }
  const ask = io.promptLine;
  if (ask === undefined) throw new TezsignerError('CONFIG_INVALID', 'no terminal to ask on: use --json to list and --approve <id> or --deny <id> to answer');
  for (const request of pending) {
    io.stdout(describePending(request));
    const answer = (await ask('Sign it? [y/N] ')).trim().toLowerCase();
    const approve = answer === 'y' || answer === 'yes';
    const answered = await decidePending(socketPath, token, request.id, approve, by);
    io.stdout(answered ? `${approve ? 'approved' : 'refused'}\n\n` : 'no longer pending (answered elsewhere, or timed out)\n\n');
  }
}
