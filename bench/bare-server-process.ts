// The bare server in a process of its own, beside the signer's (the shipped command) and the
// load's: a bare node:http server that signs, verifies and makes one fsynced atomic write per
// request with asynchronous file calls (floor.ts), and, when told on stdin, the same work in a
// tight loop without HTTP (the raw floor) in this same process, while the load is idle.
//   node --conditions=source --import tsx bare-server-process.ts <folder> <curve,curve…> <keys per curve>
// Prints one JSON line { url } once listening; then each line on stdin orders a floor run (a
// FloorOrder), answered by one line (its Sample); stops when its stdin closes.
// Requests go to /keys/<curve>-<n>: key n of that curve.
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Curve } from '../packages/core/src/index.js';
import { startBareSigner } from './bare-server.js';
import { fileBackend, floorWork, requestHex, type RequestKind } from './floor.js';
import { measure } from './measure.js';

export interface FloorOrder {
  readonly curve: Curve;
  readonly workers: number;
  readonly seconds: number;
  readonly request: RequestKind;
}

const [folder = '', curveList = 'ed25519', perCurve = '64'] = process.argv.slice(2);
await mkdir(folder, { recursive: true });
const backend = fileBackend(folder);
const works = new Map(curveList.split(',').map((curve) => [curve, floorWork(backend, Number(perCurve), curve as Curve)]));
let level = 0;

function workOf(curve: string) {
  const work = works.get(curve);
  if (work === undefined) throw new Error(`no keys of ${curve} here`);
  return work;
}

const server = await startBareSigner(async (path, bytes) => {
  const name = path.slice('/keys/'.length);
  const dash = name.lastIndexOf('-');
  return workOf(name.slice(0, dash))(Number(name.slice(dash + 1)), bytes, (level += 1));
});
// the floor is ordered on stdin, one JSON line each, and answered on stdout with its latencies
const orders = createInterface({ input: process.stdin });
orders.on('line', (line) => {
  const order = JSON.parse(line) as FloorOrder;
  const work = workOf(order.curve);
  void measure(order.workers, order.seconds, (worker, i) => work(worker, Buffer.from(requestHex(order.request, i), 'hex'), (level += 1))).then((sample) =>
    process.stdout.write(`${JSON.stringify(sample)}\n`),
  );
});
orders.on('close', () => void server.close().finally(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
