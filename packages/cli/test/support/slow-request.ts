import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface SlowRequest {
  /** sends the rest of the body; resolves with the answer */
  finish(): Promise<{ status: number; body: unknown }>;
}

/**
 * A POST whose headers and first half of the body are sent now and the rest on finish(): a
 * request that is provably in flight while the test reloads or stops the server.
 */
export async function startSlowRequest(url: string, path: string, json: string, ca?: string): Promise<SlowRequest> {
  const { hostname, port, protocol } = new URL(url);
  const socket: Socket = await new Promise((resolve, reject) => {
    const connected =
      protocol === 'https:'
        ? connectTls({ host: hostname, port: Number(port), ca, servername: undefined }, () => resolve(connected))
        : connectTcp(Number(port), hostname, () => resolve(connected));
    connected.once('error', reject);
  });
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const half = Math.floor(json.length / 2);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json.slice(0, half)}`,
  );
  return {
    async finish() {
      socket.write(json.slice(half));
      await closed;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      const text = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      return { status, body: JSON.parse(text) as unknown };
    },
  };
}
