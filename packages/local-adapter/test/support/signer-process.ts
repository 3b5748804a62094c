// A signer process for the cross-process tests: its own SignerService over a home's vault and
// file watermark store, driven by JSON lines on stdin, answering JSON lines on stdout.
//   {"id": 1, "hex": "13…", "pause": true}  sign; with pause, stop right before the commit
//                                           (after the watermark check and the signature),
//                                           say {"id": 1, "paused": true} and wait for
//   {"resume": 1}                           then finish: {"id": 1, "outcome", "signature"?, "error"?}
//   {"stream": "13…", "from": 100}          sign that attestation at level 100, 101, … until
//                                           killed, saying {"level", "signature"} after each
//                                           (or {"level", "refused": true})
// TEZSIGNER_TEST_CLOCK_OFFSET_MS moves this process's Date.now, as a skewed clock would.
// TEZSIGNER_TEST_LEGACY_LOCK_MS: the stale time (and wait) of a format-1 lock, shorter than 10 s.
import { createInterface } from 'node:readline';
import { SignerService, blake2b256, bytesToHex, hexToBytes, isTezsignerError } from '@tezsigner/core';
import type { SignedMark, WatermarkKey, WatermarkStore } from '@tezsigner/core';
import { FileWatermarkStore, LocalKeyVault } from '@tezsigner/local-adapter';

const [home, pkh] = process.argv.slice(2);
if (!home || !pkh) throw new Error('usage: signer-process <home> <pkh>');

const offset = Number(process.env.TEZSIGNER_TEST_CLOCK_OFFSET_MS ?? 0);
if (offset !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + offset;
}

const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const resumes = new Map<number, () => void>();
const pausing = new Set<string>();

/** The file store, held at the worst moment for the requests asked to pause. */
function pausable(inner: FileWatermarkStore): WatermarkStore {
  return {
    name: inner.name,
    read: (key) => inner.read(key),
    list: () => inner.list(),
    async commit(key: WatermarkKey, signed: SignedMark) {
      const id = [...pausing].find((tag) => tag.endsWith(`/${signed.hash}`));
      if (id !== undefined) {
        pausing.delete(id);
        const number = Number(id.split('/')[0]);
        await new Promise<void>((resume) => {
          resumes.set(number, resume);
          say({ id: number, paused: true });
        });
      }
      return inner.commit(key, signed);
    },
  };
}

const vault = await LocalKeyVault.open({ home });
const service = new SignerService({
  keys: await vault.keyProvider(),
  watermarks: pausable(await FileWatermarkStore.open({ home, legacyLock: legacyLockOptions() })),
  policy: { allowedMagicBytes: [0x11, 0x12, 0x13] },
});

function legacyLockOptions(): { staleMs: number; waitMs: number } | undefined {
  const ms = Number(process.env.TEZSIGNER_TEST_LEGACY_LOCK_MS ?? 0);
  return ms > 0 ? { staleMs: ms, waitMs: 3 * ms } : undefined;
}

async function sign(id: number, hex: string): Promise<void> {
  try {
    const result = await service.sign(pkh as string, hexToBytes(hex));
    say({ id, outcome: result.outcome, signature: result.signature });
  } catch (err) {
    say({ id, outcome: isTezsignerError(err, 'WATERMARK_REFUSED') ? 'refused' : 'error', error: String(err) });
  }
}

async function stream(template: string, from: number): Promise<void> {
  const bytes = hexToBytes(template);
  for (let level = from; ; level++) {
    // the tz1 (pre)attestation layout: level at byte 40
    new DataView(bytes.buffer).setInt32(40, level);
    try {
      const { signature } = await service.sign(pkh as string, bytes);
      say({ level, signature });
    } catch (err) {
      if (!isTezsignerError(err, 'WATERMARK_REFUSED')) throw err;
      say({ level, refused: true });
    }
  }
}

say({ ready: true });
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { id?: number; hex?: string; pause?: boolean; resume?: number; stream?: string; from?: number };
  if (command.resume !== undefined) resumes.get(command.resume)?.();
  else if (command.stream !== undefined) void stream(command.stream, command.from ?? 1);
  else if (command.id !== undefined && command.hex !== undefined) {
    if (command.pause === true) pausing.add(`${command.id}/${bytesToHex(blake2b256(hexToBytes(command.hex)))}`);
    void sign(command.id, command.hex);
  }
});

