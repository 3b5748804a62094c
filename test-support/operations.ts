// Generic operations (0x03) forged by an independent forger (Taquito local-forging), for
// policy and confirmation tests.
import { LocalForger } from '@taquito/local-forging';

const forger = new LocalForger();
export const BRANCH = 'BLockGenesisGenesisGenesisGenesisGenesisf79b5d1CoW2';

export interface Transfer {
  readonly source: string;
  readonly destination: string;
  /** mutez */
  readonly amount: bigint;
  /** mutez, default 1400 */
  readonly fee?: bigint;
  /** a contract call: entrypoint with Unit */
  readonly entrypoint?: string;
  readonly counter?: number;
  /** bytes of storage it may burn, default 257 */
  readonly storageLimit?: number;
}

/** The hex of a transfer's signing request, magic byte 0x03 first. */
export async function forgeTransfer(transfer: Transfer): Promise<string> {
  const forged = await forger.forge({
    branch: BRANCH,
    contents: [
      {
        kind: 'transaction' as never,
        source: transfer.source,
        fee: String(transfer.fee ?? 1400n),
        counter: String(transfer.counter ?? 1),
        gas_limit: '1527',
        storage_limit: String(transfer.storageLimit ?? 257),
        amount: String(transfer.amount),
        destination: transfer.destination,
        ...(transfer.entrypoint === undefined ? {} : { parameters: { entrypoint: transfer.entrypoint, value: { prim: 'Unit' } } }),
      } as never,
    ],
  });
  return `03${forged}`;
}

/** A delegation's signing request, 0x03 first. */
export async function forgeDelegation(source: string, delegate: string): Promise<string> {
  const forged = await forger.forge({
    branch: BRANCH,
    contents: [{ kind: 'delegation', source, fee: '1000', counter: '2', gas_limit: '1000', storage_limit: '0', delegate } as never],
  });
  return `03${forged}`;
}

/** The signing request of any contents in Taquito's JSON shape, 0x03 first. */
export async function forgeContents(contents: readonly Record<string, unknown>[]): Promise<string> {
  return `03${await forger.forge({ branch: BRANCH, contents: contents as never })}`;
}
