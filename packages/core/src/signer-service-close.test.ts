import { describe, expect, it } from 'vitest';
import { isTezsignerError } from './errors.js';
import { generateSecretKey } from './encoding/secret-key.js';
import { MemoryKeyProvider } from './memory/key-provider.js';
import { MemoryWatermarkStore } from './memory/watermark-store.js';
import type { KeyProvider, SignInput } from './ports/key-provider.js';
import { SignerService } from './signer-service.js';
import { buildBlockRequest } from './testing/consensus-requests.js';

/** A memory provider whose signing waits for `release`, and that records being closed. */
function gatedProvider() {
  const inner = new MemoryKeyProvider([generateSecretKey('ed25519')]);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const events: string[] = [];
  const provider: KeyProvider = {
    name: 'gated',
    capabilities: inner.capabilities,
    listKeys: () => inner.listKeys(),
    getKey: (pkh) => inner.getKey(pkh),
    sign: async (pkh: string, input: SignInput) => {
      events.push('signing');
      await gate;
      events.push('signed');
      return inner.sign(pkh, input);
    },
    close: async () => {
      events.push('keys closed');
    },
  };
  return { provider, release, events, pkh: async () => ((await inner.listKeys())[0] as { pkh: string }).pkh };
}

class ClosingStore extends MemoryWatermarkStore {
  constructor(
    readonly events: string[],
    readonly failure?: Error,
  ) {
    super();
  }
  close(): Promise<void> {
    this.events.push('watermarks closed');
    return this.failure === undefined ? Promise.resolve() : Promise.reject(this.failure);
  }
}

describe('SignerService.close', () => {
  it('lets a signature under way finish, then closes the key provider and the watermark store, and refuses new calls', async () => {
    const { provider, release, events, pkh } = gatedProvider();
    const signer = new SignerService({ keys: provider, watermarks: new ClosingStore(events) });
    const key = await pkh();
    const signing = signer.sign(key, buildBlockRequest({ level: 1 }));
    while (!events.includes('signing')) await new Promise((resolve) => setImmediate(resolve));
    const closing = signer.close();
    expect(signer.close()).toBe(closing);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['signing']);
    await expect(signer.sign(key, buildBlockRequest({ level: 2 }))).rejects.toSatisfy((err) => isTezsignerError(err, 'BACKEND_UNAVAILABLE'));
    await expect(signer.listKeys()).rejects.toSatisfy((err) => isTezsignerError(err, 'BACKEND_UNAVAILABLE'));
    release();
    expect((await signing).outcome).toBe('signed');
    await closing;
    expect(events.slice(0, 2)).toEqual(['signing', 'signed']);
    expect(events.slice(2).sort()).toEqual(['keys closed', 'watermarks closed']);
  });

  it('closes both when one fails, and rejects with that failure', async () => {
    const { provider, events } = gatedProvider();
    const failure = new Error('disk gone');
    const signer = new SignerService({ keys: provider, watermarks: new ClosingStore(events, failure) });
    await expect(signer.close()).rejects.toBe(failure);
    expect(events.sort()).toEqual(['keys closed', 'watermarks closed']);
  });

  it('closes ports that have no close method', async () => {
    const signer = new SignerService({ keys: new MemoryKeyProvider([]), watermarks: new MemoryWatermarkStore() });
    await expect(signer.close()).resolves.toBeUndefined();
  });
});
