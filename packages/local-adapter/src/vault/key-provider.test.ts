import { describe, expect, it } from 'vitest';
import { verifySignature } from '@taquito/utils';
import { MemoryKeyProvider, blake2b256, configInvalid, decodeSecretKey, encodeSignature, isTezsignerError, type SecretKey } from '@tezsigner/core';
import { keyVectors } from '../../../../test-support/vectors.js';
import { VaultKeyProvider, type ClosedKey, type OpeningOptions } from './key-provider.js';

// keys that sign the digest (64-byte signatures): the first three vectors of these curves
const vectors = keyVectors().filter((k) => k.curve !== 'bls12_381');

/** A key whose opening the test finishes by hand, recording when it began. */
function heldKey(index: number, began: number[]) {
  const vector = vectors[index]!;
  let finish: (result: SecretKey | Error) => void = () => undefined;
  const key: ClosedKey = {
    info: { pkh: vector.public_key_hash, curve: vector.curve, publicKey: vector.public_key },
    open: () => {
      began.push(index);
      return new Promise((resolve, reject) => {
        finish = (result) => (result instanceof Error ? reject(result) : resolve(result));
      });
    },
  };
  return { key, vector, open: () => finish(decodeSecretKey(vector.secret_key)), fail: (err: Error) => finish(err) };
}

/** A provider over `count` held keys, and the order in which their openings began. */
function heldKeys(count: number, options: OpeningOptions) {
  const began: number[] = [];
  const keys = Array.from({ length: count }, (_, i) => heldKey(i, began));
  return { began, keys, provider: new VaultKeyProvider(keys.map((k) => k.key), options) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const bytes = Uint8Array.of(0x11, 1, 2, 3);
const input = { bytes, digest: blake2b256(bytes) };

describe('VaultKeyProvider', () => {
  it('opens its keys a few at a time, in order, and says when all are open', async () => {
    const allOpen: number[] = [];
    const { began, keys, provider } = heldKeys(3, { concurrency: 2, onAllOpen: (count) => allOpen.push(count) });
    expect(await provider.listKeys()).toEqual(keys.map((k) => k.key.info));
    provider.openInBackground();
    expect(began).toEqual([0, 1]);
    keys[1]!.open();
    await flush();
    expect(began).toEqual([0, 1, 2]);
    keys[0]!.open();
    keys[2]!.open();
    await flush();
    expect(allOpen).toEqual([3]);
    await provider.probe();
  });

  it('opens a key asked for before those still waiting, and signs with it only once it is open', async () => {
    const { began, keys, provider } = heldKeys(3, { concurrency: 1 });
    provider.openInBackground();
    expect(began).toEqual([0]);
    let signed: Uint8Array | undefined;
    const signing = provider.sign(keys[2]!.vector.public_key_hash, input).then((raw) => (signed = raw));
    await flush();
    // first in line, beside the one already under way
    expect(began).toEqual([0, 2]);
    expect(signed).toBeUndefined();
    keys[2]!.open();
    await signing;
    const { curve, public_key: publicKey } = keys[2]!.vector;
    expect(verifySignature(Buffer.from(bytes).toString('hex'), publicKey, encodeSignature(curve, signed!))).toBe(true);
    // key 1 waits its turn: key 0 is still opening
    expect(began).toEqual([0, 2]);
    keys[0]!.open();
    await flush();
    expect(began).toEqual([0, 2, 1]);
  });

  it('fails every request for a key that cannot be opened, says so once, and is not ready; the others sign', async () => {
    const failures: string[] = [];
    const { keys, provider } = heldKeys(2, { concurrency: 2, onFailure: (pkh) => failures.push(pkh) });
    provider.openInBackground();
    keys[0]!.fail(configInvalid('the key file a.json: its secret key does not belong to it'));
    keys[1]!.open();
    for (let i = 0; i < 2; i++) {
      const err = await provider.sign(keys[0]!.vector.public_key_hash, input).catch((e: unknown) => e);
      expect(isTezsignerError(err, 'CONFIG_INVALID') && err.message).toContain('does not belong');
    }
    expect(failures).toEqual([keys[0]!.vector.public_key_hash]);
    await expect(provider.probe()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await provider.sign(keys[1]!.vector.public_key_hash, input)).length).toBe(64);
  });

  it('openAll rejects with the first failing key in the vault order, after every key settled', async () => {
    const { keys, provider } = heldKeys(3, { concurrency: 3 });
    let settled = false;
    const all = provider.openAll().then(
      () => 'opened',
      (err: unknown) => {
        settled = true;
        return (err as Error).message;
      },
    );
    keys[2]!.fail(new Error('third'));
    keys[1]!.fail(new Error('second'));
    await flush();
    expect(settled).toBe(false);
    keys[0]!.open();
    expect(await all).toBe('second');
  });

  it('is ready only once every key is open, saying how many of how many are; a key given open is never opened', async () => {
    const began: number[] = [];
    const [given, ...held] = Array.from({ length: 3 }, (_, i) => heldKey(i, began));
    const provider = new VaultKeyProvider([{ ...given!.key, opened: new MemoryKeyProvider([decodeSecretKey(given!.vector.secret_key)]) }, ...held.map((k) => k.key)], { concurrency: 1 });
    expect(provider.readinessDetail()).toBe('1 of 3 keys open');
    await expect(provider.probe()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: '1 of 3 keys open' });
    expect((await provider.sign(given!.vector.public_key_hash, input)).length).toBe(64);
    provider.openInBackground();
    held[0]!.open();
    await flush();
    expect(provider.readinessDetail()).toBe('2 of 3 keys open');
    held[1]!.fail(new Error('damaged'));
    await flush();
    expect(provider.readinessDetail()).toBe('2 of 3 keys open, 1 cannot be opened');
    await expect(provider.probe()).rejects.toThrow('damaged');
    expect(began).toEqual([1, 2]);
  });

  it('is ready at once when every key is given open', async () => {
    const provider = new VaultKeyProvider(vectors.slice(0, 2).map((v) => ({ info: { pkh: v.public_key_hash, curve: v.curve, publicKey: v.public_key }, opened: new MemoryKeyProvider([decodeSecretKey(v.secret_key)]), open: () => Promise.reject(new Error('opened')) })), { concurrency: 1 });
    await provider.settled();
    await provider.probe();
    expect(provider.readinessDetail()).toBeUndefined();
  });

  it('close waits for the task begun once every key settled, and a task not begun by then never runs', async () => {
    const { keys, provider } = heldKeys(1, { concurrency: 1 });
    let finishTask: () => void = () => undefined;
    const ran: string[] = [];
    provider.whenSettled(() => {
      ran.push('task');
      return new Promise((resolve) => (finishTask = resolve));
    });
    provider.openInBackground();
    keys[0]!.open();
    await flush();
    expect(ran).toEqual(['task']);
    let closed = false;
    const closing = provider.close().then(() => (closed = true));
    await flush();
    expect(closed).toBe(false);
    finishTask();
    await closing;

    const early = heldKeys(1, { concurrency: 1 });
    early.provider.whenSettled(async () => void ran.push('too late'));
    early.provider.openInBackground();
    await early.provider.close();
    early.keys[0]!.open();
    await early.provider.settled();
    await flush();
    expect(ran).toEqual(['task']);
  });

  it('KEY_NOT_FOUND for a key it does not hold', async () => {
    const provider = new VaultKeyProvider([], { concurrency: 1 });
    await provider.openAll();
    await expect(provider.sign('tz1burnburnburnburnburnburnburjAYjjX', input)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect(await provider.getKey('tz1burnburnburnburnburnburnburjAYjjX')).toBeUndefined();
  });
});
