import type { OperationContent } from '../operation/content.js';

/** mutez burnt per byte of storage (octez's `cost_per_byte`, 250 mutez on mainnet since Florence) */
export const COST_PER_BYTE = 250n;
/** mutez a smart-rollup operator locks as its bond on its first commitment, and loses with a refutation game (`smart_rollup_stake_amount`, 10,000 ꜩ) */
export const SMART_ROLLUP_BOND = 10_000_000_000n;

/** The most one operation content can take from its source's spendable balance, in mutez. */
export interface WorstCase {
  /** sent to someone else (a transaction's amount, an origination's balance) */
  readonly moved: bigint;
  /** burnt: every byte its storage_limit allows, and storage paid for */
  readonly burnt: bigint;
  /** locked as a bond */
  readonly locked: bigint;
  /** why no amount bounds it (a drain, a ticket's worth): refused under an amount cap */
  readonly unbounded?: string;
}

/**
 * Kinds that take no tez beyond their fee and storage burn. A kind not here and not counted
 * below (a kind octez adds later) has an unknown worst case, so a cap refuses it until it is
 * counted: an amount cap fails closed.
 */
const NOTHING_MORE = new Set([
  'reveal',
  'delegation',
  'register_global_constant',
  'set_deposits_limit',
  'update_companion_key',
  'smart_rollup_originate',
  'smart_rollup_add_messages',
  'smart_rollup_cement',
  'smart_rollup_timeout',
  'smart_rollup_execute_outbox_message',
  'smart_rollup_recover_bond',
  'dal_publish_commitment',
  // their storage (the rollup, its pending L2 operations) is what storage_limit bounds; a
  // publish's tickets are not taken from the source, an update's exits go to others
  'zk_rollup_origination',
  'zk_rollup_publish',
  'zk_rollup_update',
  'seed_nonce_revelation',
  'vdf_revelation',
  'double_consensus_operation_evidence',
  'double_baking_evidence',
  'double_attestation_evidence',
  'double_preattestation_evidence',
  'dal_entrapment_evidence',
  'activate_account',
  'proposals',
  'ballot',
  'failing_noop',
]);

/**
 * What each kind counts against `max_amount` and `max_amount_24h` (the policy guide, docs/policy.md,
 * lists the same): the tez it sends, the storage its storage_limit lets it burn, the bond it
 * locks; a kind whose worst case no field of the operation bounds is `unbounded`.
 */
export function worstCase(content: OperationContent): WorstCase {
  const storageLimit = (content as { storageLimit?: unknown }).storageLimit;
  const burnt = typeof storageLimit === 'bigint' ? storageLimit * COST_PER_BYTE : 0n;
  const none = { moved: 0n, burnt, locked: 0n };
  switch (content.kind) {
    case 'transaction':
      return { ...none, moved: content.amount };
    case 'origination':
      return { ...none, moved: content.balance };
    case 'increase_paid_storage':
      // a signed number in the encoding: a negative one is refused on chain, and must not lower a total here
      return { ...none, burnt: burnt + (content.amount > 0n ? content.amount * COST_PER_BYTE : 0n) };
    // a commitment locks the bond; a refutation game lost costs the loser its bond
    case 'smart_rollup_publish':
    case 'smart_rollup_refute':
      return { ...none, locked: SMART_ROLLUP_BOND };
    case 'drain_delegate':
      return { ...none, unbounded: 'sends the whole spendable balance of the delegate' };
    case 'update_consensus_key':
      return { ...none, unbounded: 'lets the new consensus key drain the whole balance (drain_delegate)' };
    case 'transfer_ticket':
      return { ...none, unbounded: 'sends tickets, whose worth in tez (a tez ticket) the operation does not say' };
    default: {
      const kind: string = content.kind;
      if (NOTHING_MORE.has(kind)) return none;
      return { ...none, unbounded: `is a kind whose worst case tezsigner does not count` };
    }
  }
}
