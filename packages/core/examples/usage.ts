import { generateSecretKey, hexToBytes, MemoryKeyProvider, MemoryWatermarkStore, SignerService } from '@tezsigner/core';

/** Signs a block a baker sent (hex), then the same block again. */
export async function signTwice(blockHex: string) {
  // Memory keeps the example self-contained. A real signer takes its keys from a key file or an
  // HSM and its watermarks from a durable store: both plug into the same two ports.
  const signer = new SignerService({
    keys: new MemoryKeyProvider([generateSecretKey('ed25519')]),
    watermarks: new MemoryWatermarkStore(),
    policy: { allowedMagicBytes: [0x11, 0x12, 0x13], checkHighWatermark: true },
  });

  const [key] = await signer.listKeys();
  if (key === undefined) throw new Error('the provider holds no key');

  const first = await signer.sign(key.pkh, hexToBytes(blockHex));
  // The same bytes again are answered from the watermark, never signed twice; other bytes at
  // the same level and round, or anything lower, are refused with WATERMARK_REFUSED.
  const again = await signer.sign(key.pkh, hexToBytes(blockHex));

  return { publicKey: key.publicKey, first, again };
}
