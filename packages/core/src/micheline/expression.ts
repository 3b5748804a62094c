/**
 * A Micheline expression in the JSON shape octez and Taquito use (`{ prim, args, annots }`,
 * `{ int }`, `{ string }`, `{ bytes }`, or an array for a sequence).
 */
export type Micheline = MichelineInt | MichelineString | MichelineBytes | MichelinePrim | readonly Micheline[];

export interface MichelineInt {
  /** decimal, possibly negative */
  readonly int: string;
}

export interface MichelineString {
  /**
   * one character per byte of the encoding (latin-1), so every byte is kept as it was signed;
   * renderers escape anything outside printable ASCII
   */
  readonly string: string;
}

export interface MichelineBytes {
  /** lower-case hex, no 0x */
  readonly bytes: string;
}

export interface MichelinePrim {
  /** octez name of the primitive ("Pair", "PUSH", "nat", …) */
  readonly prim: string;
  readonly args?: readonly Micheline[];
  readonly annots?: readonly string[];
}

/** A Michelson value or script as an operation carries it. */
export interface MichelsonExpression {
  readonly expression: Micheline;
  /** byte length of its binary encoding in the operation */
  readonly size: number;
}

/** Array.isArray does not narrow a readonly array type. */
export const isSequence = (expression: Micheline): expression is readonly Micheline[] => Array.isArray(expression);
