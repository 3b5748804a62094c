// The baker's load: one keep-alive connection per key, each posting a signing request at rising
// levels for `seconds`. Alone in its file: the load thread imports it without the signer's code.
import { LeanConnection } from './lean-connection.js';
import { measure, type Sample } from './measure.js';

/**
 * Posts `bodyAt(level)` to `/keys/<pkh>` for each of `pkhs` at once, level after level; the
 * latencies come back. Given several servers (an HA pair behind a round-robin balancer), each
 * client sends its levels to them in turn.
 */
export async function postLoad(url: string | readonly string[], pkhs: readonly string[], seconds: number, bodyAt: (level: number) => string): Promise<Sample> {
  const urls = typeof url === 'string' ? [url] : url;
  const connections = await Promise.all(pkhs.map(() => Promise.all(urls.map((each) => LeanConnection.open(new URL(each))))));
  try {
    return await measure(pkhs.length, seconds, (worker, level) => {
      const mine = connections[worker] as LeanConnection[];
      return (mine[level % mine.length] as LeanConnection).post(`/keys/${pkhs[worker]}`, bodyAt(level));
    });
  } finally {
    for (const connection of connections.flat()) connection.close();
  }
}
