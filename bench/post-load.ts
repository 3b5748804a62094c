// The baker's load: one keep-alive connection per key, each posting a signing request at rising
// levels for `seconds`. Alone in its file: the load thread imports it without the signer's code.
import { LeanConnection } from './lean-connection.js';
import { measure, type Sample } from './measure.js';

/** Posts `bodyAt(level)` to `/keys/<pkh>` for each of `pkhs` at once, level after level; the latencies come back. */
export async function postLoad(url: string, pkhs: readonly string[], seconds: number, bodyAt: (level: number) => string): Promise<Sample> {
  const connections = await Promise.all(pkhs.map(() => LeanConnection.open(new URL(url))));
  try {
    return await measure(pkhs.length, seconds, (worker, level) => (connections[worker] as LeanConnection).post(`/keys/${pkhs[worker]}`, bodyAt(level)));
  } finally {
    for (const connection of connections) connection.close();
  }
}
