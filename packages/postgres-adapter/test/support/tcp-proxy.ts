// A TCP proxy on loopback between a store and its database, for faults the database itself
// cannot be made to show on cue: connections reset in the middle of a statement, or a peer that
// accepts and then never answers.
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'reset' | 'silent';

export interface TcpProxy {
  readonly port: number;
  /** `reset`: every connection, open or new, is reset at its next byte; `silent`: bytes are swallowed */
  setMode(mode: ProxyMode): void;
  /** the next answer the database sends, on any connection, is cut: its statement ran, the client never hears how */
  cutNextAnswer(): void;
  /** how many times each text went from a client to the database since the last call (statements, by their SQL) */
  takeCounts(...texts: string[]): number[];
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let cutNext = false;
  let sent = '';
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    const reset = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (mode === 'reset') reset();
      else if (mode === 'forward') {
        sent += chunk.toString('latin1');
        upstream.write(chunk);
      }
    });
    // a statement sent before the reset began is cut when its answer comes
    upstream.on('data', (chunk: Buffer) => {
      if (cutNext) {
        cutNext = false;
        reset();
      } else if (mode === 'reset') reset();
      else if (mode === 'forward') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    setMode(next) {
      mode = next;
    },
    cutNextAnswer() {
      cutNext = true;
    },
    takeCounts(...texts) {
      const counts = texts.map((text) => sent.split(text).length - 1);
      sent = '';
      return counts;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
