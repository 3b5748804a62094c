import { describeRequest, formatSize, formatTez, layoutMicheline, operationToJson, requestFacts, totals, type SigningRequest } from '@tezsigner/core';
import { chainOf, type DecodedRequest } from './decoded-request.js';

function age(ms: number): string {
  return ms < 60_000 ? `${Math.floor(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
}

const bigintsAsText = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/** Every value the bytes hold, a value a line where it takes several: an operation's fields, a packed value's. */
function contentLines(request: SigningRequest): string[] {
  switch (request.kind) {
    case 'operation':
      return JSON.stringify(operationToJson({ branch: request.branch, contents: request.contents }), null, 2).split('\n');
    case 'michelson_data':
      return layoutMicheline(request.data.expression);
    default:
      return JSON.stringify(request, bigintsAsText, 2).split('\n');
  }
}

function where(request: SigningRequest): string {
  const chain = chainOf(request);
  if (chain !== undefined) return ` on chain ${chain}`;
  if (request.kind === 'operation') return ` branched on ${request.branch} (an operation's bytes name no chain: check the branch is on your network)`;
  return '';
}

/** For the person deciding: what the bytes do, where, their totals and hash, and every value they hold, all decoded here. */
export function describeDecoded(held: DecodedRequest): string {
  const lines = [`request ${held.hash}`];
  const { request } = held;
  if (request === undefined) {
    lines.push(`  ${held.problem ?? 'it cannot be decoded here'}: it can only be refused from here`, `  key ${held.key}, ${formatSize(held.bytes.length)}: 0x${Buffer.from(held.bytes).toString('hex')}`);
  } else {
    lines.push(`  ${describeRequest(request)}`, `  key ${held.key}, ${request.kind}${where(request)}`);
    if ((held.signerChain ?? chainOf(request)) !== chainOf(request)) lines.push(`  the signer says it is for chain ${held.signerChain ?? ''}, its bytes say ${chainOf(request) ?? 'none'}: refuse it`);
    const facts = request.kind === 'operation' ? requestFacts(request) : undefined;
    if (facts !== undefined) {
      const { amount, fee } = totals(facts);
      lines.push(`  takes at most ${formatTez(amount)} (sent, burnt for storage, locked as bonds) plus ${formatTez(fee)} in fees`);
    }
  }
  lines.push(`  held by rule ${held.rule}: ${held.reason}; waiting for ${age(held.ageMs)} (request id ${held.id})`);
  if (request !== undefined) lines.push(`  everything it signs (${formatSize(held.bytes.length)}, decoded here):`, ...contentLines(request).map((line) => `    ${line}`));
  lines.push('');
  return lines.join('\n');
}

/** What `confirm --json` prints of a held request: confirm's own decoding, with the signer's id, key and bytes. */
export function decodedToJson(held: DecodedRequest): Record<string, unknown> {
  const { request } = held;
  const facts = request?.kind === 'operation' ? requestFacts(request) : undefined;
  const spent = facts === undefined ? undefined : totals(facts);
  const chain = chainOf(request);
  return {
    id: held.id,
    key: held.key,
    hash: held.hash,
    ...(request === undefined
      ? { problem: held.problem }
      : {
          kind: request.kind,
          ...(chain === undefined ? {} : { chain }),
          ...(request.kind === 'operation' ? { branch: request.branch } : {}),
          summary: describeRequest(request),
          ...(spent === undefined ? {} : { totals: { amount: spent.amount.toString(), fee: spent.fee.toString() } }),
          details: request.kind === 'operation' ? operationToJson({ branch: request.branch, contents: request.contents }) : request.kind === 'michelson_data' ? request.data.expression : JSON.parse(JSON.stringify(request, bigintsAsText)),
        }),
    bytes: Buffer.from(held.bytes).toString('hex'),
    rule: held.rule,
    reason: held.reason,
    received_at: held.receivedAt,
    age_ms: held.ageMs,
  };
}
