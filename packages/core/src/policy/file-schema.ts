import { b58cDecode } from '../encoding/base58.js';
import { isAddress } from '../encoding/address.js';
import { OPERATION_KIND_NAMES } from '../operation/kinds.js';
import { parseTez } from '../operation/tez-amount.js';
import { ANY_OPERATION, POLICY_REQUEST_KINDS, VERDICTS, type KeyPolicy, type Policy, type PolicyRequestKind, type PolicyLimits, type Verdict } from './model.js';
import { z } from 'zod';

const decodes = (text: string, prefix: 'KT1' | 'Net'): boolean => {
  try {
    b58cDecode(text, prefix);
    return true;
  } catch {
    return false;
  }
};

const verdict = z.enum(VERDICTS as [Verdict, ...Verdict[]], { error: 'expected allow, confirm or deny' });
const implicitAddress = z.string().refine(isAddress, { error: 'expected a tz1/tz2/tz3/tz4 address' });
const tez = z
  .union([z.string(), z.number()], { error: 'expected an amount of tez, e.g. 12.5' })
  .transform((value, context) => {
    try {
      return parseTez(String(value));
    } catch {
      context.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not an amount of tez (e.g. 12.5, at most 6 decimals)` });
      return 0n;
    }
  });
const destination = z.string().refine(
  (text) => {
    const [address = '', entrypoint, ...rest] = text.split('%');
    const entrypointOk = entrypoint === undefined || /^[A-Za-z0-9_.%@]{1,31}$/.test(entrypoint);
    return rest.length === 0 && entrypointOk && (isAddress(address) || decodes(address, 'KT1'));
  },
  { error: 'expected an address (tz1…, KT1…), optionally with %entrypoint' },
);
const operationKind = z.string().refine((text) => text === ANY_OPERATION || (OPERATION_KIND_NAMES as readonly string[]).includes(text), {
  error: 'expected an operation kind (transaction, delegation, reveal, …, as octez names them) or *',
});
const chainId = z.string().refine((text) => decodes(text, 'Net'), { error: 'expected a chain id (Net…)' });

const limits = z
  .strictObject({
    max_amount: tez.optional(),
    max_fee: tez.optional(),
    max_amount_24h: tez.optional(),
    max_fee_24h: tez.optional(),
    destinations: z.array(destination).optional(),
    delegates: z.array(implicitAddress).optional(),
    chain_ids: z.array(chainId).optional(),
    exceeded: z.enum(['confirm', 'deny'], { error: 'expected confirm or deny' }).optional(),
  })
  .transform((value): PolicyLimits => {
    const out: Record<string, unknown> = {
      maxAmount: value.max_amount,
      maxFee: value.max_fee,
      maxAmount24h: value.max_amount_24h,
      maxFee24h: value.max_fee_24h,
      destinations: value.destinations,
      delegates: value.delegates,
      chainIds: value.chain_ids,
      exceeded: value.exceeded,
    };
    return Object.fromEntries(Object.entries(out).filter(([, field]) => field !== undefined)) as PolicyLimits;
  });

const kindFields = Object.fromEntries(POLICY_REQUEST_KINDS.map((kind) => [kind, verdict.optional()])) as Record<PolicyRequestKind, z.ZodOptional<typeof verdict>>;

const keyPolicy = z
  .strictObject({
    ...kindFields,
    operations: z.record(operationKind, verdict).optional(),
    limits: limits.optional(),
  })
  .transform((value): KeyPolicy => {
    const kinds = Object.fromEntries(POLICY_REQUEST_KINDS.flatMap((kind) => (value[kind] === undefined ? [] : [[kind, value[kind]]])));
    return {
      kinds,
      ...(value.operations === undefined ? {} : { operations: value.operations }),
      ...(value.limits === undefined ? {} : { limits: value.limits }),
    };
  });

/** A policy file: rules for every key (`default`) and for some keys by address (`keys`). */
export const policyFileSchema = z.strictObject({
  default: keyPolicy.optional(),
  keys: z.record(implicitAddress, keyPolicy).optional(),
});

export function toPolicy(source: string, file: z.output<typeof policyFileSchema>): Policy {
  return {
    source,
    ...(file.default === undefined ? {} : { default: file.default }),
    ...(file.keys === undefined ? {} : { keys: file.keys }),
  };
}
