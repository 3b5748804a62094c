// A bare node:http server on loopback, for the cases that set the signer beside what this machine
// gives any HTTP server doing the same work.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Answers each POST of a signing request (a JSON string of hex) with `sign(path, bytes)`'s
 * signature as hex, or 500 if it throws: the least any signer does per request over HTTP, with
 * none of the signer's parsing, checks, watermark or log.
 */
export async function startBareSigner(sign: (path: string, bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>): Promise<BareServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const signed = async () => sign(req.url ?? '', Buffer.from(JSON.parse(Buffer.concat(chunks).toString('utf8')) as string, 'hex'));
      signed().then(
        (signature) => {
          const answer = JSON.stringify({ signature: Buffer.from(signature).toString('hex') });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer);
        },
        () => res.writeHead(500, { 'content-length': 0 }).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
