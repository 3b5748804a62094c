/** The signature schemes Tezos knows, named as octez names them. */
export const CURVES = ['ed25519', 'secp256k1', 'p256', 'bls12_381'] as const;
export type Curve = (typeof CURVES)[number];

export function isCurve(value: string): value is Curve {
  return (CURVES as readonly string[]).includes(value);
}
