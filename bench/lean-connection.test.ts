import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LeanConnection } from './lean-connection.js';

let server: Server | undefined;
let connection: LeanConnection | undefined;

afterEach(async () => {
  connection?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** node:http on loopback, answering each request with `answer`; the bodies it got are kept in order. */
async function serve(answer: (res: ServerResponse, body: string) => void): Promise<{ url: URL; bodies: string[] }> {
  const bodies: string[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      answer(res, body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), bodies };
}

describe('LeanConnection', () => {
  it('posts JSON and resolves on each 200, one keep-alive connection for all', async () => {
    const { url, bodies } = await serve((res, body) => res.writeHead(200, { 'content-length': body.length }).end(body));
    connection = await LeanConnection.open(url);
    await connection.post('/keys/tz1a', JSON.stringify('0b12'));
    await connection.post('/keys/tz1b', JSON.stringify('0b34'));
    expect(bodies).toEqual(['POST /keys/tz1a application/json "0b12"', 'POST /keys/tz1b application/json "0b34"']);
  });

  it('waits for the whole body when the answer comes in pieces', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { 'content-length': 6 });
      res.write('{"a"');
      setTimeout(() => res.end(':1'), 50);
    });
    connection = await LeanConnection.open(url);
    let settled = false;
    const answered = connection.post('/keys/tz1a', '"00"').then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    await answered;
    expect(settled).toBe(true);
  });

  it('rejects an answer other than 200 with its status and body', async () => {
    const { url } = await serve((res) => res.writeHead(409, { 'content-length': 9 }).end('{"e":"x"}'));
    connection = await LeanConnection.open(url);
    await expect(connection.post('/keys/tz1a', '"00"')).rejects.toThrow('HTTP 409: {"e":"x"}');
  });

  it('rejects an answer it cannot delimit (no content-length)', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200);
      res.end('chunked');
    });
    connection = await LeanConnection.open(url);
    await expect(connection.post('/keys/tz1a', '"00"')).rejects.toThrow('without content-length');
  });

  it('rejects when the server closes the connection', async () => {
    const { url } = await serve((res) => res.socket?.destroy());
    connection = await LeanConnection.open(url);
    await expect(connection.post('/keys/tz1a', '"00"')).rejects.toThrow('closed the connection');
  });
});
