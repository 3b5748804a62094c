import { connect, type Socket } from 'node:net';
import { MemoryKeyProvider, MemoryWatermarkStore, backendUnavailable, decodeSecretKey, storeUnavailable } from '@tezsigner/core';
import { afterEach, describe, expect, test } from 'vitest';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { switchable } from './support/switchable.js';
import { ED, signOver, startTestSigner, type TestSigner } from './support/test-signer.js';

const running: TestSigner[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((signer) => signer.close()));
});

async function start(options: Parameters<typeof startTestSigner>[0] = {}): Promise<TestSigner> {
  const signer = await startTestSigner({ keys: [ED], ...options });
  running.push(signer);
  return signer;
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('timeouts and caps', () => {
  test('a client trickling its headers byte by byte is cut off within the header timeout', async () => {
    const signer = await start({ limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 5_000 } });
    const socket = await open(signer.url);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const started = performance.now();
    socket.write(`POST /keys/${ED.public_key_hash} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, 100);
    try {
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    } finally {
      clearInterval(trickle);
    }
    const elapsed = performance.now() - started;
    // the client never stopped sending: only the server's header timeout ends this
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(15_000);
  });

  test('2,000 idle connections do not stop a signature from being served', async () => {
    const signer = await start();
    const idle = await Promise.all(Array.from({ length: 2_000 }, () => open(signer.url)));
    let closedEarly = 0;
    for (const socket of idle) socket.on('close', () => closedEarly++);
    try {
      const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
      expect(answer.status).toBe(200);
      expect(answer.body).toHaveProperty('signature');
      expect(closedEarly).toBe(0);
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  test('beyond maxConnections new connections are refused while the ones held keep working', async () => {
    const signer = await start({ limits: { maxConnections: 3 } });
    const held = await Promise.all([open(signer.url), open(signer.url), open(signer.url)]);
    try {
      const extra = await open(signer.url);
      await new Promise<void>((resolve) => extra.once('close', () => resolve()));
      held[0]?.write(`GET /keys/${ED.public_key_hash} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const answer = await new Promise<string>((resolve) => held[0]?.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  test('after maxRequestsPerSocket requests the server asks the client to reconnect', async () => {
    const signer = await start({ limits: { maxRequestsPerSocket: 2 } });
    const socket = await open(signer.url);
    let text = '';
    const third = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if ((text.match(/HTTP\/1\.1 /g) ?? []).length === 3) resolve();
      }),
    );
    const ask = `GET /keys/${ED.public_key_hash} HTTP/1.1\r\nHost: x\r\n\r\n`;
    socket.write(ask + ask + ask);
    await third;
    socket.destroy();
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(text).toMatch(/HTTP\/1\.1 503/);
  });
});

/** Sends `head` and the chunks of a chunked body on one connection; the raw answer comes back. */
async function sendChunked(url: string, head: string, chunks: readonly string[]): Promise<string> {
  const socket = await open(url);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`${head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
  for (const chunk of chunks) socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
  socket.write('0\r\n\r\n');
  await closed;
  return answer;
}

describe('reading the body', () => {
  const head = (pkh: string) => `POST /keys/${pkh} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`;

  test('a chunked body (no Content-Length) is read whole and signed', async () => {
    const signer = await start();
    const json = JSON.stringify(tenderbakeBlock(30, 0));
    const answer = await sendChunked(signer.url, head(ED.public_key_hash), [json.slice(0, 7), json.slice(7, 40), json.slice(40)]);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/"signature":"edsig/);
  });

  test('a chunked body over the limit is refused with 413 without a Content-Length to go by', async () => {
    const signer = await start({ bodyLimitBytes: 1_000 });
    const answer = await sendChunked(signer.url, head(ED.public_key_hash), Array.from({ length: 20 }, () => '1'.repeat(100)));
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toMatch(/"code":"PAYLOAD_TOO_LARGE"/);
    expect(answer).toMatch(/limit 1000 bytes/);
  });

  test('a client that leaves halfway through its body gets nothing signed, and the signer keeps serving', async () => {
    const signer = await start();
    const socket = await open(signer.url);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const json = JSON.stringify(tenderbakeBlock(40, 0));
    socket.write(`${head(ED.public_key_hash)}Content-Length: ${json.length}\r\n\r\n${json.slice(0, 50)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await closed;
    // level 40 was never signed: a lower level still is
    const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(39, 0));
    expect(answer.status).toBe(200);
    expect(signer.logs).toContainEqual(expect.objectContaining({ path: `/keys/${ED.public_key_hash}`, outcome: 'client_gone' }));
  });
});

describe('what a caller learns of a fault', () => {
  const INTERNAL = 'open /home/baker/.tezsigner/watermarks/NetXdQprcVkpaWU/tz1/block.json at https://acct.table.core.windows.net/tezsigner';

  test.each([
    ['watermark store', 'STORE_UNAVAILABLE'],
    ['key backend', 'BACKEND_UNAVAILABLE'],
  ] as const)('a %s fault answers 503 with no path, URL or backend text; the log keeps them', async (_what, code) => {
    const store = switchable(new MemoryWatermarkStore(), () => storeUnavailable(INTERNAL));
    const keys = switchable(new MemoryKeyProvider([decodeSecretKey(ED.secret_key)]), () => backendUnavailable(INTERNAL));
    const signer = await start({ watermarks: store.value, keyProvider: keys.value });
    if (code === 'STORE_UNAVAILABLE') store.down = true;
    else keys.down = true;
    const answer = await signOver(signer.url, ED.public_key_hash, tenderbakeBlock(10, 0));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: { code } });
    const body = JSON.stringify(answer.body);
    expect(body).not.toMatch(/\/home|\.tezsigner|https?:|windows\.net|table|tz1\//);
    expect(signer.logs.some((line) => line['error'] === code && line['reason'] === INTERNAL)).toBe(true);
  });
});

describe('chain-id allowlist', () => {
  const GHOSTNET = 'NetXnHfVqm9iesp';

  test('a block for a chain not listed is refused and leaves no watermark; a listed chain signs', async () => {
    const store = new MemoryWatermarkStore();
    const refusing = await start({ watermarks: store, allowedChainIds: [GHOSTNET] });
    const refused = await signOver(refusing.url, ED.public_key_hash, tenderbakeBlock(10, 0));
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'POLICY_DENIED', message: 'chain NetXdQprcVkpaWU is not one this signer signs for' } } });
    expect(await store.list()).toEqual([]);

    const allowing = await start({ watermarks: store, allowedChainIds: [GHOSTNET, 'NetXdQprcVkpaWU'] });
    expect((await signOver(allowing.url, ED.public_key_hash, tenderbakeBlock(10, 0))).status).toBe(200);
    expect(await store.list()).toHaveLength(1);
  });
});
