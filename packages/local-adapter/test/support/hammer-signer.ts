// One signer process of the two-process test: its own SignerService over the shared home's
// vault and file watermark store. On "go" (a line on stdin) it signs, for each level, the same
// (chain, key, kind, level, round) several times at once with bytes of its own, and prints one
// JSON line per attempt: what it asked to sign and what came back.
import { createInterface } from 'node:readline';
import { SignerService, bytesToHex, hexToBytes, isTezsignerError } from '@tezsigner/core';
import { FileWatermarkStore, LocalKeyVault } from '@tezsigner/local-adapter';

const [home, pkh, templateHex, processTag, levelsText, attemptsText] = process.argv.slice(2);
if (!home || !pkh || !templateHex || !processTag || !levelsText || !attemptsText) {
  throw new Error('usage: hammer-signer <home> <pkh> <attestation hex> <process tag byte> <levels> <attempts>');
}
const levels = Number(levelsText);
// A skewed clock (TEZSIGNER_TEST_CLOCK_OFFSET_MS): the store must not care what time it is.
const offset = Number(process.env.TEZSIGNER_TEST_CLOCK_OFFSET_MS ?? 0);
if (offset !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + offset;
}
const attempts = Number(attemptsText);

/** The template attestation (tz1 layout) at `level`, round 0, with a payload hash of our own. */
function attestationAt(level: number): Uint8Array {
  const bytes = hexToBytes(templateHex as string);
  new DataView(bytes.buffer).setInt32(40, level);
  new DataView(bytes.buffer).setInt32(44, 0);
  bytes.fill(Number(processTag), bytes.length - 32);
  bytes[bytes.length - 1] = level;
  return bytes;
}

const vault = await LocalKeyVault.open({ home });
const service = new SignerService({ keys: await vault.keyProvider(), watermarks: await FileWatermarkStore.open({ home }) });

console.log(JSON.stringify({ ready: true }));
await new Promise<void>((go) => createInterface({ input: process.stdin }).once('line', () => go()));

for (let level = 1; level <= levels; level++) {
  const bytes = attestationAt(level);
  await Promise.all(
    Array.from({ length: attempts }, async () => {
      const base = { level, bytes: bytesToHex(bytes) };
      try {
        const result = await service.sign(pkh, bytes);
        console.log(JSON.stringify({ ...base, outcome: result.outcome, signature: result.signature }));
      } catch (err) {
        const refused = isTezsignerError(err, 'WATERMARK_REFUSED');
        console.log(JSON.stringify({ ...base, outcome: refused ? 'refused' : 'error', error: String(err) }));
      }
    }),
  );
}
