// What a person confirming a refutation move or a zk-rollup operation is told. Proofs only a
// rollup's PVM or a Plonk verifier reads are given by size; everything else whole.
import { escapeText, formatSize } from '../micheline/render.js';
import type { SmartRollupRefuteContent, ZkRollupOriginationContent, ZkRollupPublishContent, ZkRollupUpdateContent } from './content.js';
import type { InputProof, RefutationStep } from './refutation.js';

const hexBytes = (hex: string): string => formatSize(hex.length / 2);
const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

function inputProof(proof: InputProof): string {
  switch (proof.kind) {
    case 'inbox_proof':
      return `inbox proof of message ${proof.messageCounter} at level ${proof.level} (${hexBytes(proof.serializedProof)})`;
    case 'first_input':
      return 'the first inbox message';
    case 'reveal_proof': {
      const reveal = proof.revealProof;
      if (reveal.kind === 'raw_data_proof') return `reveal of raw data (${hexBytes(reveal.rawData)})`;
      if (reveal.kind === 'dal_page_proof') {
        return `reveal of DAL page ${reveal.pageIndex} of slot ${reveal.slotIndex} published at level ${reveal.publishedLevel} (proof ${hexBytes(reveal.dalProof)})`;
      }
      return reveal.kind === 'metadata_proof' ? 'reveal of the rollup metadata' : 'reveal of the DAL parameters';
    }
  }
}

function step(move: RefutationStep): string {
  if (move.kind === 'dissection') return `a dissection into ${plural(move.chunks.length, 'chunk')}`;
  const input = move.inputProof === undefined ? '' : `, input: ${inputProof(move.inputProof)}`;
  return `a proof (PVM step ${hexBytes(move.pvmStep)}${input})`;
}

export function refuteSummary(content: SmartRollupRefuteContent): string {
  const { refutation } = content;
  const head = `smart_rollup_refute by ${content.source} on ${content.rollup} against ${content.opponent}`;
  if (refutation.kind === 'start') {
    return `${head}: starts a game between commitment ${refutation.playerCommitment} and the opponent's ${refutation.opponentCommitment}`;
  }
  return `${head}: at tick ${refutation.choice}, ${step(refutation.step)}`;
}

export function zkRollupSummary(content: ZkRollupOriginationContent | ZkRollupPublishContent | ZkRollupUpdateContent): string {
  switch (content.kind) {
    case 'zk_rollup_origination': {
      const circuits = content.circuitsInfo.map((circuit) => `${escapeText(circuit.name)} (${circuit.kind})`).join(', ') || 'none';
      return (
        `zk_rollup_origination by ${content.source} of a rollup with circuits ${circuits}, initial state of ${plural(content.initState.length, 'scalar')}` +
        `, ${plural(content.nbOps, 'operation')} a batch, public parameters ${hexBytes(content.publicParameters)}`
      );
    }
    case 'zk_rollup_publish': {
      const withTickets = content.operations.filter((operation) => operation.ticket !== undefined).length;
      return `zk_rollup_publish by ${content.source} to ${content.zkRollup} of ${plural(content.operations.length, 'L2 operation')} (${withTickets} with a ticket)`;
    }
    case 'zk_rollup_update': {
      const { update } = content;
      return (
        `zk_rollup_update by ${content.source} of ${content.zkRollup}: ${update.pendingPis.length} pending and ${update.privatePis.length} private circuit inputs` +
        `, proof ${hexBytes(update.proof)}`
      );
    }
  }
}
