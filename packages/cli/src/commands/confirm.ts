import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TezsignerError, decodeSecretKey, signApproval, type SecretKey } from '@tezsigner/core';
import { adminTokenPath } from '@tezsigner/http-server';
import { readAdminToken, resolveHomePath } from '@tezsigner/local-adapter';
import type { Command } from 'commander';
import { answerPending, denyAllPending, listPending, type AnswerBody } from '../policy/admin-client.js';
import type { CliIo } from '../io/cli-io.js';
import { refuseOpenFile } from '../io/file-mode.js';
import { ADMIN_SOCKET_NAME } from '../policy/confirmations.js';
import { findTarget, MIN_HASH_PREFIX } from '../confirm/answer-target.js';
import { chainOf, decodeRequest, type DecodedRequest } from '../confirm/decoded-request.js';
import { decodedToJson, describeDecoded } from '../confirm/request-view.js';
import { terminalSafe } from '../confirm/terminal-text.js';

interface ConfirmOptions {
  readonly home?: string;
  readonly adminSocket?: string;
  readonly json?: boolean;
  readonly approve?: string[];
  readonly deny?: string[];
  readonly denyAll?: boolean;
  readonly approverKey?: string;
}

/** How long a signed approval holds: long enough for a slow link, short enough to be of no use later. */
export const APPROVAL_LIFETIME_MS = 10 * 60_000;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `tezsigner confirm`: the requests a running signer holds, each approved or refused by a person. */
export function registerConfirmCommand(program: Command, io: CliIo): void {
  program
    .command('confirm')
    .description('list the requests a running signer holds for confirmation, decoded here from their bytes, and approve or refuse each [y/N]')
    .option('--home <dir>', 'the signer\'s home folder (default: $TEZSIGNER_HOME, else ~/.tezsigner)')
    .option('--admin-socket <path>', `the signer's admin socket, its token beside it (default: <home>/${ADMIN_SOCKET_NAME})`)
    .option('--json', 'print the pending requests as JSON, ask nothing (with --approve/--deny: answer those)')
    .option('--approve <hash>', `approve the held request whose bytes have this hash (at least ${MIN_HASH_PREFIX} hex digits; <id>:<hash> when several hold the same bytes; repeatable), without asking`, collect)
    .option('--deny <hash>', 'refuse the held request whose bytes have this hash (<id>:<hash> likewise; repeatable), without asking', collect)
    .option('--deny-all', 'refuse every pending request at once')
    .option('--approver-key <file>', 'sign approvals with this secret key (edsk…, spsk…, p2sk…; a 0600 file), for a signer started with --approver-keys')
    .action((options: ConfirmOptions) => confirm(options, io));
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

/** What one answer decided: 1 request, or none and why. */
interface Decided {
  readonly decided: number;
  readonly reason?: string;
}

async function confirm(options: ConfirmOptions, io: CliIo): Promise<void> {
  // everything written comes through here: what a request or the socket carries cannot drive the terminal
  const say = (text: string) => io.stdout(terminalSafe(text));
  const home = resolveHomePath({ home: options.home, env: io.env });
  const socketPath = options.adminSocket ?? join(home, ADMIN_SOCKET_NAME);
  const token = await readAdminToken(adminTokenPath(socketPath));
  const approverKey = options.approverKey === undefined ? undefined : await readApproverKey(options.approverKey);
  const by = `${userInfo().username} (tezsigner confirm)`;

  if (options.denyAll === true) {
    const refused = await denyAllPending(socketPath, token, by);
    say(options.json === true ? `${JSON.stringify({ refused })}\n` : `${refused} pending request(s) refused\n`);
    return;
  }
  const list = await listPending(socketPath, token);
  const held = list.pending.map(decodeRequest);

  /** Sends the answer to `target`: its id, its key and the hash computed here of its bytes (signed, with an approver key). */
  const answer = async (target: DecodedRequest, approve: boolean): Promise<Decided> => {
    if (approve && target.request === undefined) return { decided: 0, reason: `${target.problem ?? 'it cannot be decoded here'}, so confirm approves nothing of it: refuse it` };
    const body: AnswerBody = { approve, by, key: target.key, hash: target.hash };
    if (!approve || approverKey === undefined) return answerPending(socketPath, token, target.id, body);
    const chain = chainOf(target.request);
    const expires = Date.now() + APPROVAL_LIFETIME_MS;
    const { signature } = signApproval(approverKey, { signer: list.signer, request: target.id, key: target.key, ...(chain === undefined ? {} : { chain }), hash: target.hash, expires });
    return answerPending(socketPath, token, target.id, { ...body, signature, expires });
  };

  const given = [...(options.approve ?? []).map((text) => [text, true] as const), ...(options.deny ?? []).map((text) => [text, false] as const)];
  if (given.length > 0) {
    const results = [];
    for (const [text, approve] of given) {
      const target = findTarget(text, held);
      const outcome = 'problem' in target ? { decided: 0, reason: target.problem } : await answer(target.held, approve);
      results.push({ given: text, approve, ...('held' in target ? { request: target.held.id, key: target.held.key, hash: target.held.hash } : {}), ...outcome });
    }
    if (options.json === true) say(`${JSON.stringify({ answered: results })}\n`);
    for (const r of options.json === true ? [] : results) {
      const verb = r.approve ? 'approved' : 'refused';
      say(r.decided === 1 ? `${r.given}: 1 request decided (request ${r.request ?? ''} for ${r.key ?? ''}, ${verb})\n` : `${r.given}: no request decided: ${r.reason ?? ''}\n`);
    }
    if (results.some((r) => r.decided !== 1)) throw new TezsignerError('BAD_REQUEST', 'some answers decided no request (see why above): `tezsigner confirm --json` lists what is held');
    return;
  }

  if (options.json === true) {
    say(`${JSON.stringify({ signer: list.signer, approver_keys: list.approver_keys, pending: held.map(decodedToJson) })}\n`);
    return;
  }
  if (held.length === 0) {
    say('no request is waiting for confirmation\n');
    return;
  }
  if (list.approver_keys && approverKey === undefined) {
    io.stderr('tezsigner: this signer takes only approvals signed by an approver key (--approver-key <file>): without one you can only refuse\n');
  }
  const ask = io.promptLine;
  if (ask === undefined) throw new TezsignerError('CONFIG_INVALID', 'no terminal to ask on: use --json to list and --approve <hash> or --deny <hash> to answer');
  for (const request of held) {
    say(describeDecoded(request));
    const decodable = request.request !== undefined;
    const yes = ['y', 'yes'].includes((await ask(decodable ? 'Sign it? [y/N] ' : 'Refuse it? [y/N] ')).trim().toLowerCase());
    if (!decodable && !yes) {
      say('left held\n\n');
      continue;
    }
    const approve = decodable && yes;
    const outcome = await answer(request, approve);
    say(outcome.decided === 1 ? `${approve ? 'approved' : 'refused'}: 1 request decided\n\n` : `no request decided: ${outcome.reason ?? ''}\n\n`);
  }
}
