import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { parseRequest, type SignResult } from '@tezsigner/core';
import { afterEach, expect, test } from 'vitest';
import { tenderbakeBlock } from './support/consensus-bytes.js';
import { ED } from './support/test-signer.js';
import { createSignerApp, type SigningService } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve)))));
});

/** A signer whose signing waits until told, recording the signal each request was given. */
async function waitingSigner() {
  const signals: AbortSignal[] = [];
  const waiting: Array<() => void> = [];
  const signer = {
    sign: (_pkh: string, bytes: Uint8Array, options: { gone?: AbortSignal | undefined } = {}) => {
      if (options.gone !== undefined) signals.push(options.gone);
      return new Promise<SignResult>((resolve) => waiting.push(() => resolve({ signature: 'edsigX', request: parseRequest(bytes, 'ed25519'), outcome: 'signed' })));
    },
  } as unknown as SigningService;
  const server = createServer(createSignerApp({ signer }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, signals, waiting };
}

const request = (level: number) => {
  const body = JSON.stringify(tenderbakeBlock(level, 0));
  return `POST /keys/${ED.public_key_hash} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
};

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
};

test("a request's signal aborts when its client closes the connection before the answer, and not while it stays open", async () => {
  const { port, signals, waiting } = await waitingSigner();
  const socket = connect(port, '127.0.0.1');
  let answers = '';
  socket.on('data', (chunk: Buffer) => (answers += chunk.toString('latin1')));
  socket.write(request(10));
  await until(() => waiting.length === 1);
  waiting.shift()?.();
  await until(() => answers.includes('edsigX'));
  // answered, connection kept alive: the next request on it is not taken for a client gone
  socket.write(request(11));
  await until(() => waiting.length === 1);
  expect(signals.map((signal) => signal.aborted)).toEqual([false, false]);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.destroy();
  await closed;
  await until(() => signals[1]?.aborted === true);
  waiting.shift()?.();
});

test('a client gone on one connection aborts nothing on another', async () => {
  const { port, signals, waiting } = await waitingSigner();
  const first = connect(port, '127.0.0.1');
  const second = connect(port, '127.0.0.1');
  first.write(request(20));
  await until(() => waiting.length === 1);
  second.write(request(21));
  await until(() => waiting.length === 2);
  first.destroy();
  await until(() => signals[0]?.aborted === true);
  expect(signals[1]?.aborted).toBe(false);
  second.destroy();
  await until(() => signals[1]?.aborted === true);
  for (const resume of waiting.splice(0)) resume();
});
