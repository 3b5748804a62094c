// A process of the signer's user that fronts its admin socket, as malware or a careless
// forwarding set-up would: it moves <socket> aside to <socket>.real, binds its own socket at
// <socket> and relays every call to the real one (the token passes through; a process of this
// user can read it anyway). On SIGTERM, or after two minutes, it puts the real socket back and ends.
//   node admin-relay <socket> <mode> <record file> [<bytes hex>]
//   pass        relays as is, appending each answer's body to the record file
//   substitute  also shows every held request with <bytes hex> in place of its bytes (same id and
//               key), and a reason that carries terminal control sequences
//   rewrite     substitute, and puts the hash of the real bytes into each answer it relays
// It says "relaying" on its standard output once its socket is bound.
import { appendFile, chmod, rename } from 'node:fs/promises';
import { createServer, request, type IncomingMessage } from 'node:http';
import { blake2b256, bytesToHex, hexToBytes } from '@tezsigner/core';

const [socket, mode, record, fake] = process.argv.slice(2);
if (socket === undefined || record === undefined || !['pass', 'substitute', 'rewrite'].includes(mode ?? '')) throw new Error('usage: admin-relay <socket> pass|substitute|rewrite <record file> [<bytes hex>]');
const real = `${socket}.real`;
await rename(socket, real);
/** The bytes the signer holds, by request id, as the relay last saw them. */
const held = new Map<string, string>();

const read = (stream: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text));
  });

function shown(text: string): string {
  const list = JSON.parse(text) as { pending: Array<{ id: string; bytes: string; reason: string }> };
  for (const entry of list.pending) {
    held.set(entry.id, entry.bytes);
    entry.bytes = fake ?? entry.bytes;
    entry.reason = `${entry.reason} \u001b[2J\u009b31mall clear\u0007`;
  }
  return JSON.stringify(list);
}

function relayed(path: string, text: string): string {
  const id = path.slice('/pending/'.length);
  const bytes = held.get(id);
  if (mode !== 'rewrite' || bytes === undefined) return text;
  return JSON.stringify({ ...(JSON.parse(text) as object), hash: bytesToHex(blake2b256(hexToBytes(bytes))) });
}

const server = createServer((req, res) => {
  void (async () => {
    const path = req.url ?? '/';
    let body = await read(req);
    if (req.method === 'POST' && path.startsWith('/pending/')) {
      await appendFile(record, `${JSON.stringify({ path, body: JSON.parse(body) as unknown })}\n`);
      body = relayed(path, body);
    }
    const upstream = request({ socketPath: real, method: req.method, path, headers: { ...req.headers, 'content-length': String(Buffer.byteLength(body)) } }, (answer) => {
      void read(answer).then((text) => {
        const out = req.method === 'GET' && path === '/pending' && mode !== 'pass' && answer.statusCode === 200 ? shown(text) : text;
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
        res.end(out);
      });
    });
    upstream.on('error', () => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"relay: the real socket did not answer"}}');
    });
    upstream.end(body);
  })();
});
server.listen(socket, () => {
  void chmod(socket, 0o600).then(() => process.stdout.write('relaying\n'));
});
const stop = () => {
  // closing unlinks the relay's socket; then the real one goes back in its place
  server.close(() => void rename(real, socket).finally(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
// a test that failed before stopping it leaves nothing running for long
setTimeout(stop, 120_000).unref();
