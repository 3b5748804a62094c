import { b58cDecode } from '@tezsigner/core';
import { LOG_LEVELS } from '@tezsigner/http-server';
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const path = z.string().min(1);
const positiveMs = (max: number) => z.number().int().min(100).max(max);

const chainId = z.string().refine(
  (text) => {
    try {
      b58cDecode(text, 'Net');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a chain id (Net…)' },
);

/**
 * The configuration file: every key is the long name of the `serve` flag it stands for, so
 * `--authorized-keys F` is `authorized-keys: F`; options of one backend are grouped under it.
 * Unknown keys are refused: a misspelt safety setting must not be silently ignored.
 */
export const configSchema = z.strictObject({
  home: path.optional(),
  vault: z.string().min(1).optional(),
  'passphrase-file': path.optional(),
  azure: z
    .strictObject({
      'vault-url': z.url({ protocol: /^https$/ }).optional(),
      'client-id': z.string().min(1).optional(),
      keys: z.array(z.string().min(1)).optional(),
      'deadline-ms': positiveMs(60_000).optional(),
    })
    .optional(),
  pkcs11: z
    .strictObject({
      module: path.optional(),
      'token-label': z.string().min(1).optional(),
      'token-serial': z.string().min(1).optional(),
      slot: z.number().int().min(0).optional(),
      'pin-file': path.optional(),
      sessions: z.number().int().min(1).max(256).optional(),
      'deadline-ms': positiveMs(60_000).optional(),
      'restart-after-ms': positiveMs(600_000).optional(),
    })
    .optional(),
  'watermark-store': z.string().min(1).optional(),
  'azure-table': z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).optional(),
      'connection-string': z.string().min(1).optional(),
      name: z.string().min(1).optional(),
    })
    .optional(),
  postgres: z
    .strictObject({
      // not checked as a URL here: a message about it must never echo it (it may hold the password)
      url: z.string().min(1).optional(),
      schema: z.string().min(1).optional(),
    })
    .optional(),
  'check-high-watermark': z.boolean().optional(),
  'magic-bytes': z.union([z.string().min(1), z.array(z.union([z.string(), z.number().int()])).min(1)]).optional(),
  policy: path.optional(),
  'audit-log': path.optional(),
  confirmations: z
    .strictObject({
      'timeout-seconds': z.number().positive().max(3600).optional(),
      'admin-socket': path.optional(),
      'max-held': z.number().int().min(1).max(1000).optional(),
      'approver-keys': path.optional(),
    })
    .optional(),
  listen: z.strictObject({ address: z.string().min(1).optional(), port: port.optional() }).optional(),
  'chain-ids': z.array(chainId).optional(),
  tls: z.strictObject({ cert: path.optional(), key: path.optional(), 'client-ca': path.optional() }).optional(),
  'authorized-keys': path.optional(),
  'allow-list-known-keys': z.boolean().optional(),
  'allow-prove-possession': z.boolean().optional(),
  'log-level': z.enum(LOG_LEVELS as [string, ...string[]]).optional(),
  metrics: z
    .strictObject({ enabled: z.boolean().optional(), address: z.string().min(1).optional(), port: port.optional() })
    .optional(),
  limits: z
    .strictObject({
      'headers-timeout-ms': positiveMs(600_000).optional(),
      'request-timeout-ms': positiveMs(600_000).optional(),
      'keep-alive-timeout-ms': positiveMs(600_000).optional(),
      'max-connections': z.number().int().min(1).max(1_000_000).optional(),
      'max-requests-per-socket': z.number().int().min(1).optional(),
      'shutdown-grace-ms': positiveMs(600_000).optional(),
      'readiness-deadline-ms': positiveMs(60_000).optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
