import { escapeText, describeMichelson, formatSize } from '../micheline/render.js';
import type { DecodedOperation, ManagerContent, OperationContent, TransactionContent } from './content.js';
import { refuteSummary, zkRollupSummary } from './rollup-summary.js';
import { formatTez } from './tez-amount.js';

/** Transactions of an account to itself with these entrypoints are staking requests (octez pseudo-operations). */
const STAKING_ENTRYPOINTS: ReadonlySet<string> = new Set(['stake', 'unstake', 'finalize_unstake', 'set_delegate_parameters']);
const MAX_NOOP_SHOWN = 200;

const hexBytes = (hex: string): string => formatSize(hex.length / 2);

function target(destination: string, entrypoint: string): string {
  return entrypoint === 'default' ? destination : `${destination}%${escapeText(entrypoint)}`;
}

function managerCosts(content: ManagerContent): string {
  const storage = content.storageLimit > 0n ? `, storage limit ${content.storageLimit}` : '';
  return `, fee ${formatTez(content.fee)}${storage}`;
}

function transaction(content: TransactionContent): string {
  const parameter = content.parameters === undefined ? '' : `, parameter ${describeMichelson(content.parameters)}`;
  if (content.destination === content.source && STAKING_ENTRYPOINTS.has(content.entrypoint)) {
    return `${content.entrypoint} of ${formatTez(content.amount)} by ${content.source}${parameter}`;
  }
  return `transaction of ${formatTez(content.amount)} from ${content.source} to ${target(content.destination, content.entrypoint)}${parameter}`;
}

function managerBody(content: ManagerContent): string {
  switch (content.kind) {
    case 'transaction':
      return transaction(content);
    case 'reveal':
    case 'update_consensus_key':
    case 'update_companion_key': {
      const what = content.kind === 'reveal' ? 'reveal of public key' : `${content.kind} to`;
      return `${what} ${content.publicKey} for ${content.source}${content.proof === undefined ? '' : ' with a proof of possession'}`;
    }
    case 'origination':
      return (
        `origination of a contract with ${formatTez(content.balance)} from ${content.source}` +
        `${content.delegate === undefined ? '' : `, delegate ${content.delegate}`}` +
        `, code ${describeMichelson(content.code)}, storage ${describeMichelson(content.storage)}`
      );
    case 'delegation':
      if (content.delegate === undefined) return `delegation withdrawal by ${content.source}`;
      if (content.delegate === content.source) return `delegation of ${content.source} to itself (registers it as a delegate)`;
      return `delegation of ${content.source} to ${content.delegate}`;
    case 'register_global_constant':
      return `register_global_constant by ${content.source} of ${describeMichelson(content.value)}`;
    case 'set_deposits_limit':
      return `set_deposits_limit of ${content.source} ${content.limit === undefined ? 'removed' : `to ${formatTez(content.limit)}`}`;
    case 'increase_paid_storage':
      return `increase_paid_storage of ${content.destination} by ${content.amount} bytes, paid by ${content.source}`;
    case 'transfer_ticket':
      return (
        `transfer_ticket of ${content.ticketAmount} ticket${content.ticketAmount === 1n ? '' : 's'} ` +
        `${describeMichelson(content.ticketContents)} of type ${describeMichelson(content.ticketType)} by ticketer ${content.ticketer}` +
        ` from ${content.source} to ${target(content.destination, content.entrypoint)}`
      );
    case 'smart_rollup_originate':
      return (
        `smart_rollup_originate by ${content.source} of a ${content.pvmKind} rollup, kernel ${hexBytes(content.kernel)}` +
        `, parameters type ${describeMichelson(content.parametersType)}` +
        `${content.whitelist === undefined ? '' : `, whitelist ${content.whitelist.join(' ') || '(empty)'}`}`
      );
    case 'smart_rollup_add_messages':
      return `smart_rollup_add_messages by ${content.source} of ${content.messages.length} message${content.messages.length === 1 ? '' : 's'} (${hexBytes(content.messages.join(''))})`;
    case 'smart_rollup_cement':
      return `smart_rollup_cement of ${content.rollup} by ${content.source}`;
    case 'smart_rollup_publish':
      return (
        `smart_rollup_publish by ${content.source} to ${content.rollup} of a commitment at inbox level ${content.inboxLevel}` +
        ` (state ${content.compressedState}, ${content.numberOfTicks} ticks, predecessor ${content.predecessor})`
      );
    case 'smart_rollup_timeout':
      return `smart_rollup_timeout by ${content.source} on ${content.rollup} between ${content.firstStaker} and ${content.secondStaker}`;
    case 'smart_rollup_execute_outbox_message':
      return `smart_rollup_execute_outbox_message by ${content.source} on ${content.rollup} (commitment ${content.cementedCommitment}, proof ${hexBytes(content.outputProof)})`;
    case 'smart_rollup_recover_bond':
      return `smart_rollup_recover_bond by ${content.source} on ${content.rollup} for ${content.staker}`;
    case 'dal_publish_commitment':
      return `dal_publish_commitment by ${content.source} of slot ${content.slotIndex} (${content.commitment})`;
    case 'smart_rollup_refute':
      return refuteSummary(content);
    case 'zk_rollup_origination':
    case 'zk_rollup_publish':
    case 'zk_rollup_update':
      return zkRollupSummary(content);
  }
}

/** Printable off-chain messages (what wallets sign as failing_noop) shown as text, the rest as hex. */
function noopPayload(hex: string): string {
  const bytes = hex.match(/../g) ?? [];
  const text = bytes.map((byte) => String.fromCharCode(Number.parseInt(byte, 16))).join('');
  const shown = /^[ -~]*$/.test(text) ? `"${escapeText(text)}"` : `0x${hex}`;
  return shown.length > MAX_NOOP_SHOWN ? `${shown.slice(0, MAX_NOOP_SHOWN)}… (${hexBytes(hex)})` : shown;
}

/**
 * One line saying what a content does, for a person deciding whether to sign it:
 * "transaction of 12.5 ꜩ from tz1… to KT1…%deposit, fee 0.0014 ꜩ". Amounts exact, addresses whole,
 * text from the operation escaped so it cannot masquerade as anything else on a terminal.
 */
export function summarizeContent(content: OperationContent): string {
  switch (content.kind) {
    case 'seed_nonce_revelation':
      return `seed_nonce_revelation for level ${content.level}`;
    case 'vdf_revelation':
      return 'vdf_revelation of a VDF solution';
    case 'double_consensus_operation_evidence':
      return `double_consensus_operation_evidence for slot ${content.slot} (operations of ${hexBytes(content.firstOperation)} and ${hexBytes(content.secondOperation)})`;
    case 'double_baking_evidence':
      return `double_baking_evidence (block headers of ${hexBytes(content.firstBlockHeader)} and ${hexBytes(content.secondBlockHeader)})`;
    case 'dal_entrapment_evidence': {
      const lag = content.lagIndex === undefined ? '' : `, lag index ${content.lagIndex}`;
      return (
        `dal_entrapment_evidence for consensus slot ${content.consensusSlot}, DAL slot ${content.slotIndex}${lag}` +
        ` (attestation of ${hexBytes(content.attestation)}, trap shard ${content.shard.index} of ${content.shard.share.length / 64} scalars)`
      );
    }
    case 'activate_account':
      return `activate_account of ${content.pkh}`;
    case 'proposals':
      return `proposals by ${content.source} in period ${content.period}: ${content.proposals.join(', ')}`;
    case 'ballot':
      return `ballot ${content.ballot} by ${content.source} on ${content.proposal} in period ${content.period}`;
    case 'drain_delegate':
      return `drain_delegate of ${content.delegate} (consensus key ${content.consensusKey}) to ${content.destination}: the delegate's whole spendable balance`;
    case 'failing_noop':
      return `failing_noop (can never be included on chain) of ${noopPayload(content.arbitrary)}`;
    default:
      return `${managerBody(content)}${managerCosts(content)}`;
  }
}

/** Every content's summary; a batch is numbered in order. */
export function summarizeOperation(operation: DecodedOperation): string {
  const { contents } = operation;
  if (contents.length === 1) return summarizeContent(contents[0] as OperationContent);
  return `batch of ${contents.length} operations: ${contents.map((content, i) => `(${i + 1}) ${summarizeContent(content)}`).join('; ')}`;
}
