// docs/benchmarks.md from one run's figures: tables, the request path's targets met or not, and
// where the time goes. Pure (figures in, text out), so its formatting is tested without a run.
import type { Figures } from './measure.js';
import type { HaRow, LocalCase, PageFigures } from './page-figures.js';

export const CHART_FILE = 'benchmarks-latency.svg';

const rate = (f: Figures) => f.perSecond.toFixed(0);
const ms = (value: number) => value.toFixed(2);
const ratio = (value: number) => value.toFixed(2);

/** A Markdown table: a header row, its rule, then the rows. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The request path's targets (issue 26), tz1 against the bare server and the floor of the same run. */
export function requestPathTargets(local: readonly LocalCase[]): Target[] {
  const at = (concurrency: number) => local.find((c) => c.prefix === 'tz1' && c.concurrency === concurrency);
  const one = at(1);
  const many = at(64);
  const targets: Target[] = [];
  if (one !== undefined) {
    const p50Ratio = one.signer.p50 / one.bare.p50;
    targets.push({ name: 'c=1: p50 ≤ 1.3 × the bare server’s', measured: `${ms(one.signer.p50)} ms vs ${ms(one.bare.p50)} ms = ${ratio(p50Ratio)}×`, met: p50Ratio <= 1.3 });
    const p99Over = one.signer.p99 - one.bare.p99;
    targets.push({ name: 'c=1: p99 ≤ the bare server’s + 2 ms', measured: `${ms(one.signer.p99)} ms vs ${ms(one.bare.p99)} ms = ${p99Over >= 0 ? '+' : '−'}${ms(Math.abs(p99Over))} ms`, met: p99Over <= 2 });
  }
  if (many !== undefined) {
    const share = many.signer.perSecond / many.floor.perSecond;
    targets.push({ name: 'c=64 over 64 keys: ≥ 0.5 of the raw floor’s signatures/s', measured: `${rate(many.signer)} vs ${rate(many.floor)} sig/s = ${ratio(share)}`, met: share >= 0.5 });
  }
  return targets;
}

function machineSection({ machine, seconds }: PageFigures): string {
  return table(
    ['', ''],
    [
      ['CPU', `${machine.cpu}, ${machine.cores} cores`],
      ['memory', `${machine.memoryGiB.toFixed(1)} GiB`],
      ['Node', machine.node],
      ['OS', machine.os],
      ['date', machine.date],
      ['load average (1 min) at start', machine.loadAverage.toFixed(2)],
      ['whole run', `${seconds.toFixed(0)} s`],
    ],
  );
}

export function localTable(local: readonly LocalCase[]): string {
  return table(
    ['key', 'in flight', 'signer sig/s', 'p50 ms', 'p99 ms', 'bare server sig/s', 'p50 ms', 'p99 ms', 'floor sig/s', 'signer ÷ floor', 'signer ÷ bare'],
    local.map((c) => [
      `${c.prefix} (${c.curve})`,
      String(c.concurrency),
      rate(c.signer),
      ms(c.signer.p50),
      ms(c.signer.p99),
      rate(c.bare),
      ms(c.bare.p50),
      ms(c.bare.p99),
      rate(c.floor),
      ratio(c.signer.perSecond / c.floor.perSecond),
      ratio(c.signer.perSecond / c.bare.perSecond),
    ]),
  );
}

function haTable(rows: readonly HaRow[]): string {
  return table(['setup', 'in flight', 'sig/s', 'p50 ms', 'p99 ms'], rows.map((r) => [r.setup, String(r.concurrency), rate(r.figures), ms(r.figures.p50), ms(r.figures.p99)]));
}

/** Where the signer's time goes beyond the bare server's, with this run's tz1 figures. */
function timeGoes(local: readonly LocalCase[]): string {
  const tz1 = (concurrency: number) => local.find((c) => c.prefix === 'tz1' && c.concurrency === concurrency);
  const one = tz1(1);
  const many = tz1(64);
  const figuresSaid =
    one !== undefined && many !== undefined
      ? `In this run a tz1 signature took ${ms(one.signer.p50)} ms (p50) end to end at 1 in flight, ` +
        `${ms(Math.abs(one.signer.p50 - one.bare.p50))} ms ${one.signer.p50 >= one.bare.p50 ? 'more' : 'less'} than the bare server doing the same signing, verifying and durable write, ` +
        `and the floor alone (no HTTP) took ${ms(one.floor.p50)} ms. `
      : '';
  return (
    `${figuresSaid}Most of a signature's time is the disk: each answer waits for one fsynced write (the floor) and, ` +
    'in the signer, for the file store\'s conditional commit: the mark written O_DSYNC to a temporary file, link(2)ed into place ' +
    '(which fails if another process took that position), the folder fsynced and listed to see that the mark is the highest, the ' +
    'superseded mark unlinked. Every one of these calls runs on libuv\'s thread pool (no synchronous file-system call is left on the ' +
    'signing path: the store, the audit log and the spending ledger use only asynchronous ones), so the event loop is free meanwhile; the rest ' +
    'of the signer\'s own cost is parsing and checking the request (magic byte, policy, the watermark rule), base58 encoding, and ' +
    'the request log line, written once per turn of the event loop for all the answers of that turn. ' +
    'With many requests in flight the two cores are shared by the load generator, the server\'s event loop and the thread pool\'s ' +
    'fsyncs, so signatures/s is bounded by the disk\'s flushes and the CPU left over, not by any one request; a BLS (tz4) signature and ' +
    'its verification cost milliseconds of CPU, which makes tz4 the one curve where signing, not the disk, sets the pace.'
  );
}

function targetsSection(local: readonly LocalCase[]): string {
  return table(['target (tz1, same client, same run)', 'measured', 'met'], requestPathTargets(local).map((t) => [t.name, t.measured, t.met ? 'yes' : 'no']));
}

export function writePage(figures: PageFigures): string {
  const vaultIdeal = (concurrency: number) => (1000 * concurrency) / figures.vaultLatencyMs;
  return `# Benchmarks

Written by \`pnpm bench --write-docs\` (bench/page-cases.ts measures, bench/page-writer.ts writes); do not edit by hand.

## The machine

${machineSection(figures)}

The machine is shared (other work ran on its two cores during the run), so absolute figures are noisy: compare the figures **within** this run, as ratios. Every case below sets the signer beside a bare server and a floor measured in alternating slices of the same run, so that a slow spell of the host falls on all of them alike. A p99 at 1 in flight rests on the slowest 1 % of a few thousand answers, so one slow spell of the disk or the host still moves it by milliseconds from one run to the next: rerun before reading much into one p99.

## Local keys, end to end over HTTP

One key per request in flight, each signing at rising levels (blocks for tz1–tz3, attestations for tz4), the file watermark store on the local disk (every signature's mark fsynced before its answer). The same client (a lean keep-alive HTTP/1.1 client on a thread of its own) loads three things in turn:

- **signer**: the whole tezsigner over HTTP (the signing route, policy, watermark rule, the file store's conditional commit, key, verification of the signature, request log);
- **bare server**: a bare \`node:http\` server that signs, verifies and makes one fsynced atomic write (temporary file, rename, folder fsync) per request, with no parsing, watermark rule or log: what any durable signer pays over HTTP on this machine;
- **floor**: the same sign + verify + durable write in a tight loop, no HTTP: the raw floor.

The three take turns in slices of 0.5 s (ten slices each at 1 in flight, four at 8 and 64), each server warmed up first; one process runs them all and the client, so signer and bare server share the same two cores with it alike.

${localTable(figures.local)}

![p50 and p99 latency against requests in flight, signer and bare server, per curve](${CHART_FILE})

### The request path's targets

${targetsSection(figures.local)}

### Where the rest of the time goes

${timeGoes(figures.local)}

## Azure Key Vault (the stand-in at ${figures.vaultLatencyMs} ms)

The SignerService over the Key Vault provider and the real Azure SDK, against the HTTPS stand-in in a process of its own answering each request after ${figures.vaultLatencyMs} ms (a vault in the same region). Packed data (0x05) is signed, so no watermark store is involved. The ideal at ${figures.vaultLatencyMs} ms is (in flight) ÷ latency. Far below it (at 64 in flight) the limit is CPU, not the vault: the signer (about 1 ms of CPU per signature: the SDK's request, TLS, verifying the signature) and the stand-in share the same two cores here (\`pnpm bench azure\` prints the CPU per signature of each).

${table(
  ['keys', 'in flight', 'sig/s', 'ideal sig/s', 'p50 ms', 'p99 ms', 'failed closed'],
  figures.vault.map((r) => [r.keys, String(r.concurrency), rate(r.figures), vaultIdeal(r.concurrency).toFixed(0), ms(r.figures.p50), ms(r.figures.p99), String(r.failed)]),
)}

## HA pair on Azurite and on PostgreSQL

Two signers sharing one Azure Table (Azurite, in memory, on loopback), then one PostgreSQL database (Debian's server, a throwaway cluster on loopback, fsync and synchronous_commit on), behind a round-robin balancer: each client's levels go to the two instances in turn, so every commit follows the other instance's write of that watermark (on the table it conflicts once and re-reads; on PostgreSQL the one conditional upsert decides). Beside each, one instance alone on the store. Ed25519 blocks over HTTP, one key per request in flight.

${haTable(figures.ha)}

## Rerun it

\`\`\`sh
pnpm install
pnpm bench --write-docs   # rewrites docs/benchmarks.md and docs/${CHART_FILE} (about ${Math.ceil(figures.seconds / 60)} min on 2 cores)
pnpm bench                # every suite, printed to the console only
pnpm bench http           # one suite by name
\`\`\`
`;
}
