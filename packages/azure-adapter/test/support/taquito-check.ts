import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { InMemorySigner } from '@taquito/signer';
import { PrefixV2, b58Encode, verifySignature } from '@taquito/utils';

type EcdsaCurve = 'secp256k1' | 'p256';

/** A secret key's address and public key according to Taquito, independent of tezsigner's code. */
export async function taquitoIdentity(curve: EcdsaCurve, secret: Uint8Array): Promise<{ pkh: string; publicKey: string }> {
  const signer = new InMemorySigner(b58Encode(secret, curve === 'secp256k1' ? PrefixV2.Secp256k1SecretKey : PrefixV2.P256SecretKey));
  return { pkh: await signer.publicKeyHash(), publicKey: await signer.publicKey() };
}

/** Whether Taquito accepts raw r‖s as the signature of `bytes` by `publicKey` (it rejects high-S secp256k1). */
export function taquitoVerifies(curve: EcdsaCurve, bytes: Uint8Array, publicKey: string, signature: Uint8Array): boolean {
  const encoded = b58Encode(signature, curve === 'secp256k1' ? PrefixV2.Secp256k1Signature : PrefixV2.P256Signature);
  return verifySignature(Buffer.from(bytes).toString('hex'), publicKey, encoded);
}

/** s ≤ n/2, read from the raw bytes with the curve order from noble. */
export function isLowS(curve: EcdsaCurve, signature: Uint8Array): boolean {
  const n = (curve === 'secp256k1' ? secp256k1 : p256).CURVE.n;
  const s = BigInt(`0x${Buffer.from(signature.subarray(32, 64)).toString('hex')}`);
  return s > 0n && s <= n / 2n;
}
