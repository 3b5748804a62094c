import { bytesToHex, generateSecretKey, isTezsignerError, MemoryKeyProvider, MemoryWatermarkStore, SignerService } from '@tezsigner/core';
import { buildBlockRequest } from '@tezsigner/core/testing';

// Memory keeps the example self-contained. A real signer takes its keys from a key file or an
// HSM and its watermarks from a durable store: both plug into the same two ports.
const signer = new SignerService({
  keys: new MemoryKeyProvider([generateSecretKey('ed25519')]),
  watermarks: new MemoryWatermarkStore(),
  policy: { allowedMagicBytes: [0x11, 0x12, 0x13], checkHighWatermark: true },
});

const [key] = await signer.listKeys();
if (key === undefined) throw new Error('the provider holds no key');

// A block as a baker asks for its signature (the body of its POST /keys/<pkh>), built here.
const block = buildBlockRequest({ chainId: 'NetXdQprcVkpaWU', level: 5_000_000, round: 0, payloadHash: new Uint8Array(32).fill(1) });

const first = await signer.sign(key.pkh, block);
// The same bytes again are answered from the watermark, never signed twice.
const again = await signer.sign(key.pkh, block);
console.log(`${key.publicKey} signed ${bytesToHex(block)}: ${first.signature} (${first.outcome}, then ${again.outcome})`);

// Other bytes at the same level and round, or anything lower, are refused.
const other = buildBlockRequest({ chainId: 'NetXdQprcVkpaWU', level: 5_000_000, round: 0, payloadHash: new Uint8Array(32).fill(2) });
try {
  await signer.sign(key.pkh, other);
} catch (err) {
  if (!isTezsignerError(err, 'WATERMARK_REFUSED')) throw err;
  console.log(`another block at the same level and round: ${err.code}, ${err.message}`);
}

// Closes the key provider and the watermark store once the signatures under way are done.
await signer.close();
