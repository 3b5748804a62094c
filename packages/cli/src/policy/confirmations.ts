import { join } from 'node:path';
import { configInvalid, policyMayConfirm, type Policy } from '@tezsigner/core';
import { DEFAULT_CONFIRMATION_TIMEOUT_MS, PendingConfirmations, startAdminServer } from '@tezsigner/http-server';
import { createAdminToken } from '@tezsigner/local-adapter';
import type { Command } from 'commander';

export const ADMIN_SOCKET_NAME = 'admin.sock';
export const ADMIN_TOKEN_NAME = 'admin.token';

export interface ConfirmationOptions {
  readonly confirmTimeoutMs: number;
  readonly adminSocket?: string;
}

export function addConfirmationOptions(command: Command): Command {
  return command
    .option('--confirm-timeout <seconds>', 'how long a request held for confirmation waits before it is refused', String(DEFAULT_CONFIRMATION_TIMEOUT_MS / 1000))
    .option('--admin-socket <path>', `where tezsigner confirm reaches this signer (default: <home>/${ADMIN_SOCKET_NAME})`);
}

export function parseConfirmTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 3600) {
    throw configInvalid(`--confirm-timeout ${JSON.stringify(text)}: give seconds, more than 0 and at most 3600`);
  }
  return Math.round(seconds * 1000);
}

export interface RunningConfirmations {
  readonly pending: PendingConfirmations;
  readonly socketPath: string;
  /** refuses what is still held, then closes the admin channel */
  close(): Promise<void>;
}

/**
 * When the policy can hold requests: the queue they wait in and the admin channel (a Unix
 * socket in the home, a fresh 0600 token beside it) `tezsigner confirm` answers them through.
 */
export async function startConfirmations(policy: Policy, home: string, options: ConfirmationOptions): Promise<RunningConfirmations | undefined> {
  if (!policyMayConfirm(policy)) return undefined;
  const pending = new PendingConfirmations({ timeoutMs: options.confirmTimeoutMs });
  const token = await createAdminToken(join(home, ADMIN_TOKEN_NAME));
  const admin = await startAdminServer({ socketPath: options.adminSocket ?? join(home, ADMIN_SOCKET_NAME), token, pending });
  return {
    pending,
    socketPath: admin.socketPath,
    async close() {
      pending.close();
      await admin.close();
    },
  };
}
