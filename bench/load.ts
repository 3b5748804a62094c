// Starts a load thread (load-worker.ts) and hands back what it measured.
import { Worker } from 'node:worker_threads';
import type { LoadOrder } from './load-worker.js';
import type { Sample } from './measure.js';

/** Asks a load thread to post requests to `order.url` for `order.seconds`; its latencies come back. */
export function load(order: LoadOrder): Promise<Sample> {
  // a worker does not inherit the TypeScript loader: it registers tsx before loading the file
  const entry = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}, import.meta.url))`;
  const worker = new Worker(entry, { eval: true, workerData: order, execArgv: ['--conditions=source'] });
  return new Promise((done, fail) => {
    worker.once('message', (sample: Sample) => done(sample));
    worker.once('error', fail);
    worker.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`load thread exited ${code}`))));
  });
}
