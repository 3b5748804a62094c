/** What every manager operation starts with. */
export interface ManagerFields {
  /** implicit account paying the fee (tz1–tz4) */
  readonly source: string;
  /** mutez */
  readonly fee: bigint;
  readonly counter: bigint;
  readonly gasLimit: bigint;
  /** bytes of storage the operation may burn tez for */
  readonly storageLimit: bigint;
}
