import { join } from 'node:path';
import { approvalVerifier, configInvalid, policyMayConfirm, type AuditLog, type Policy } from '@tezsigner/core';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS, DEFAULT_MAX_HELD, PendingConfirmations, checkAdminSocketPath, startAdminServer, type RunningAdminServer } from '@tezsigner/http-server';
import type { Command } from 'commander';
import { readAuthorizedKeysFile } from '../authorized-keys-file.js';

export const ADMIN_SOCKET_NAME = 'admin.sock';

export interface ConfirmationOptions {
  readonly confirmTimeoutMs: number;
  readonly maxHeld: number;
  readonly adminSocket?: string;
  /** the approver keys file: approvals must then be signed by one of its keys */
  readonly approverKeys?: string;
  /** told when a held request is dropped because its client went away */
  readonly onAbandoned?: (hash: string, summary: string) => void;
}

export function addConfirmationOptions(command: Command): Command {
  return command
    .option('--confirm-timeout <seconds>', 'how long a request held for confirmation waits before it is refused (Taquito gives up after 30 s)', String(DEFAULT_CONFIRMATION_TIMEOUT_MS / 1000))
    .option('--max-held <count>', 'requests that may wait for confirmation at once; more are refused (503), so consensus signing keeps its room', String(DEFAULT_MAX_HELD))
    .option('--admin-socket <path>', `where tezsigner confirm reaches this signer, its token beside it (default: <home>/${ADMIN_SOCKET_NAME})`)
    .option('--approver-keys <file>', 'take only approvals signed by one of these public keys (one per line, like --authorized-keys)');
}

export function parseConfirmTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 3600) {
    throw configInvalid(`--confirm-timeout ${JSON.stringify(text)}: give seconds, more than 0 and at most 3600`);
  }
  return Math.round(seconds * 1000);
}

export function parseMaxHeld(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > 1000) throw configInvalid(`--max-held ${JSON.stringify(text)}: give a count from 1 to 1000`);
  return count;
}

export interface PreparedConfirmations {
  readonly pending: PendingConfirmations;
  readonly socketPath: string;
  readonly approverKeyCount: number;
  /** binds the admin socket and writes its token, once the signer is sure to run; answers that decide nothing go to `audit` */
  open(audit: AuditLog): Promise<RunningAdminServer>;
}

/**
 * When the policy can hold requests: the queue they wait in, with the admin socket's path
 * checked (a folder only this user can write, no signer serving it), nothing written yet.
 */
export async function prepareConfirmations(policy: Policy, home: string, options: ConfirmationOptions): Promise<PreparedConfirmations | undefined> {
  if (!policyMayConfirm(policy)) return undefined;
  const socketPath = options.adminSocket ?? join(home, ADMIN_SOCKET_NAME);
  await checkAdminSocketPath(socketPath);
  const approverKeys = options.approverKeys === undefined ? undefined : await readAuthorizedKeysFile(options.approverKeys, 'the approver keys file');
  const approvals = approverKeys === undefined ? undefined : approvalVerifier(approverKeys);
  const pending = new PendingConfirmations({
    timeoutMs: options.confirmTimeoutMs,
    maxHeld: options.maxHeld,
    onAbandoned: (request) => options.onAbandoned?.(request.hash, request.summary),
  });
  return {
    pending,
    socketPath,
    approverKeyCount: approverKeys?.length ?? 0,
    open: (audit) => startAdminServer({ socketPath, pending, audit, ...(approvals === undefined ? {} : { approvals }) }),
  };
}
