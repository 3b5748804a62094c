import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TezsignerError, decodeSecretKey, formatTez, signApproval, type SecretKey } from '@tezsigner/core';
import { adminTokenPath, MIN_HASH_PREFIX, type PendingView } from '@tezsigner/http-server';
import { readAdminToken, resolveHomePath } from '@tezsigner/local-adapter';
import type { Command } from 'commander';
import { decidePending, denyAllPending, listPending } from '../policy/admin-client.js';
import type { CliIo } from '../io/cli-io.js';
import { refuseOpenFile } from '../io/file-mode.js';
import { ADMIN_SOCKET_NAME } from '../policy/confirmations.js';

interface ConfirmOptions {
  readonly home?: string;
  readonly adminSocket?: string;
  readonly json?: boolean;
  readonly approve?: string[];
  readonly deny?: string[];
  readonly denyAll?: boolean;
  readonly approverKey?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `tezsigner confirm`: the requests a running signer holds, each approved or refused by a person. */
export function registerConfirmCommand(program: Command, io: CliIo): void {
  program
    .command('confirm')
    .description('list the requests a running signer holds for confirmation, in full, and approve or refuse each [y/N]')
    .option('--home <dir>', 'the signer\'s home folder (default: $TEZSIGNER_HOME, else ~/.tezsigner)')
    .option('--admin-socket <path>', `the signer's admin socket, its token beside it (default: <home>/${ADMIN_SOCKET_NAME})`)
    .option('--json', 'print the pending requests as JSON, ask nothing (with --approve/--deny: answer those)')
    .option('--approve <hash>', `approve the pending request with this hash (at least ${MIN_HASH_PREFIX} hex digits; repeatable), without asking`, collect)
    .option('--deny <hash>', 'refuse the pending request with this hash (repeatable), without asking', collect)
    .option('--deny-all', 'refuse every pending request at once')
    .option('--approver-key <file>', 'sign approvals with this secret key (edsk…, spsk…, p2sk…; a 0600 file), for a signer started with --approver-keys')
    .action((options: ConfirmOptions) => confirm(options, io));
}

function age(ms: number): string {
  return ms < 60_000 ? `${Math.floor(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
}

/** Everything signed, for the person deciding: what, on which chain (or branch), the totals, the hash, every parameter. */
export function describePending(request: PendingView): string {
  const where = request.chain !== undefined ? `on chain ${request.chain}` : request.branch !== undefined ? `branched on ${request.branch} (an operation's bytes name no chain: check the branch is on your network)` : '';
  const lines = [
    `request ${request.hash}`,
    `  ${request.summary}`,
    `  key ${request.key}, ${request.kind} ${where}`.trimEnd(),
  ];
  if (request.totals !== undefined) {
    lines.push(`  takes at most ${formatTez(BigInt(request.totals.amount))} (sent, burnt for storage, locked as bonds) plus ${formatTez(BigInt(request.totals.fee))} in fees`);
  }
  lines.push(`  held by rule ${request.rule}: ${request.reason}; waiting for ${age(request.age_ms)}`);
  if (request.details !== undefined) lines.push('  everything it signs:', ...JSON.stringify(request.details, null, 2).split('\n').map((line) => `    ${line}`));
  lines.push('');
  return lines.join('\n');
}

async function readApproverKey(file: string): Promise<SecretKey> {
  await refuseOpenFile(file, 'the approver key', { secret: true });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TezsignerError('CONFIG_INVALID', `cannot read the approver key ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  return decodeSecretKey(text.trim());
}

async function confirm(options: ConfirmOptions, io: CliIo): Promise<void> {
  const home = resolveHomePath({ home: options.home, env: io.env });
  const socketPath = options.adminSocket ?? join(home, ADMIN_SOCKET_NAME);
  const token = await readAdminToken(adminTokenPath(socketPath));
  const approverKey = options.approverKey === undefined ? undefined : await readApproverKey(options.approverKey);
  const by = `${userInfo().username} (tezsigner confirm)`;
  /** The answer to send: an approval signed when there is an approver key (over the whole hash shown). */
  const answerFor = (hash: string, approve: boolean) => ({ approve, by, ...(approve && approverKey !== undefined ? { signature: signApproval(approverKey, hash).signature } : {}) });

  if (options.denyAll === true) {
    const refused = await denyAllPending(socketPath, token, by);
    io.stdout(options.json === true ? `${JSON.stringify({ refused })}\n` : `${refused} pending request(s) refused\n`);
    return;
  }
  const answers = [...(options.approve ?? []).map((hash) => [hash, true] as const), ...(options.deny ?? []).map((hash) => [hash, false] as const)];
  if (answers.length > 0) {
    const { pending } = await listPending(socketPath, token);
    const results = [];
    for (const [given, approve] of answers) {
      const prefix = given.toLowerCase();
      // the whole hash of what was shown: an approval signs that, not a prefix
      const hash = pending.find((request) => request.hash.startsWith(prefix) && prefix.length >= MIN_HASH_PREFIX)?.hash;
      const answered = await decidePending(socketPath, token, given, hash === undefined ? { approve, by } : answerFor(hash, approve));
      results.push({ hash: given, approve, answered: answered > 0 });
    }
    if (options.json === true) io.stdout(`${JSON.stringify({ answered: results })}\n`);
    else for (const r of results) io.stdout(r.answered ? `request ${r.hash} ${r.approve ? 'approved' : 'refused'}\n` : `request ${r.hash} is not pending\n`);
    if (results.some((r) => !r.answered)) {
      throw new TezsignerError('BAD_REQUEST', 'some requests are not pending (answered already, timed out, their client went away, or no such hash): `tezsigner confirm --json` lists those that are');
    }
    return;
  }

  const { pending, approverKeys } = await listPending(socketPath, token);
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ pending })}\n`);
    return;
  }
  if (pending.length === 0) {
    io.stdout('no request is waiting for confirmation\n');
    return;
  }
  if (approverKeys && approverKey === undefined) {
    io.stderr('tezsigner: this signer takes only approvals signed by an approver key (--approver-key <file>): without one you can only refuse\n');
  }
  const ask = io.promptLine;
  if (ask === undefined) throw new TezsignerError('CONFIG_INVALID', 'no terminal to ask on: use --json to list and --approve <hash> or --deny <hash> to answer');
  for (const request of pending) {
    io.stdout(describePending(request));
    const answer = (await ask('Sign it? [y/N] ')).trim().toLowerCase();
    const approve = answer === 'y' || answer === 'yes';
    const answered = await decidePending(socketPath, token, request.hash, answerFor(request.hash, approve));
    io.stdout(answered > 0 ? `${approve ? 'approved' : 'refused'}\n\n` : 'no longer pending (answered elsewhere, timed out, or its client went away)\n\n');
  }
}
