// docs/benchmarks.md from one run's figures: tables, the request path's targets met or not, and
// where the time goes. Pure (figures in, text out), so its formatting is tested without a run.
import type { Figures } from './measure.js';
import type { BakeryRow, HaRow, LocalCase, Machine, PageFigures } from './page-figures.js';

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

/** The request path's targets (issues 26 and 39): tz1 of the shipped command against the bare server of the same run. */
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
    const share = many.signer.perSecond / many.bare.perSecond;
    targets.push({ name: 'c=64 over 64 keys: ≥ 0.8 of the bare server’s signatures/s', measured: `${rate(many.signer)} vs ${rate(many.bare)} sig/s = ${ratio(share)}`, met: share >= 0.8 });
  }
  return targets;
}

/**
 * A bakery's targets: ready within 5 s with its encrypted keys at a restart (the first start has
 * every key to open from its file, and is reported, not judged), the last answer of a level
 * within 1 s locally and 2 s on the vault, every request signed (none failed closed).
 */
export function bakeryTargets(rows: readonly BakeryRow[]): Target[] {
  const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
  return rows.flatMap((row) => {
    const lastTarget = row.start !== undefined ? 1000 : 2000;
    const targets: Target[] = [];
    if (row.start === 'restart') targets.push({ name: `${row.setup}: ready within 5 s of the start`, measured: seconds(row.readyMs), met: row.readyMs <= 5000 });
    const refused = row.failed === 0 ? '' : ` (${row.failed} failed closed)`;
    targets.push({ name: `${row.setup}: a level's last answer within ${lastTarget / 1000} s`, measured: `${seconds(row.lastAnswerMs)}${refused}`, met: row.lastAnswerMs <= lastTarget && row.failed === 0 });
    return targets;
  });
}

/**
 * Said only when the run's file system is ext4 without a journal, where creating a file costs
 * what the last minutes' deletions left behind (file-system.ts).
 */
function unjournaledNote(machine: Machine): string {
  if (!machine.unjournaledExt4) return '';
  return (
    ' This run\'s folders are on ext4 without a journal: to allocate an inode, such a file system passes over every free inode ' +
    'deleted in the last minute or more (a journaled one does not), so each file created costs more the more files were deleted ' +
    'lately, by this run or by whatever ran before it. The signer (its mark\'s file) and the bare server (its temporary file) ' +
    'each create one file per signature, so both pay it, and it is one more reason why figures move between runs.'
  );
}

function machineSection({ machine, seconds }: PageFigures): string {
  return table(
    ['', ''],
    [
      ['CPU', `${machine.cpu}, ${machine.cores} cores`],
      ['memory', `${machine.memoryGiB.toFixed(1)} GiB`],
      ['Node', machine.node],
      ['OS', machine.os],
      ['file system of the run', machine.fileSystem],
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

/** Where the shipped signer's time goes beyond the bare server's, with this run's tz1 figures. */
function timeGoes(shipped: readonly LocalCase[]): string {
  const one = shipped.find((c) => c.prefix === 'tz1' && c.concurrency === 1);
  const figuresSaid =
    one === undefined
      ? ''
      : `In this run a tz1 signature of the shipped command took ${ms(one.signer.p50)} ms (p50) end to end at 1 in flight, ` +
        `${ms(Math.abs(one.signer.p50 - one.bare.p50))} ms ${one.signer.p50 >= one.bare.p50 ? 'more' : 'less'} than the bare server doing the same signing, verifying and durable write, ` +
        `and the floor alone (no HTTP) took ${ms(one.floor.p50)} ms. `;
  return (
    `${figuresSaid}Most of a signature's time is the disk: each answer waits for one durable write (the floor's: a temporary file ` +
    'written O_DSYNC, renamed, the folder fsynced) and, in the signer, for the file store\'s conditional commit: the mark written ' +
    'O_DSYNC to a temporary file (begun while the signature is verified: it counts for nothing until linked), link(2)ed into place ' +
    'once the signature has verified (which fails if another process took that position), the folder fsynced, ' +
    'then listed to see that the mark is the highest. Each of these calls runs on libuv\'s thread pool (the close beside the ' +
    'link, the temporary name\'s removal and the listing beside the flush; the marks superseded are pruned after the answer), ' +
    'so the event loop makes no blocking file call meanwhile, but each is a round trip through a pool thread and back, and on ' +
    'a busy host each wake-up waits for a core. Before it, the audit log\'s line is written (to the kernel; flushed within a second), ' +
    'and the rest of the signer\'s own cost is parsing and checking the request (magic byte, policy, the watermark rule), ' +
    'verifying the signature, base58, and the request log line, written to standard output together with the others of the ' +
    'same 20 ms. With many requests in flight the two cores are shared by the load, the server\'s event loop and the flushes, so ' +
    'signatures/s is bounded by the disk\'s flushes and the CPU left over; a BLS (tz4) signature and its verification cost ' +
    'milliseconds of CPU, which makes tz4 the one curve where signing, not the disk, sets the pace.'
  );
}

const µs = (value: number) => value.toFixed(0);

/** Each server's CPU per signature in the shipped cases, where the run could read it (Linux's /proc). */
export function cpuTable(shipped: readonly LocalCase[]): string {
  const rows = shipped.flatMap(({ prefix, curve, concurrency, cpu }) => {
    if (cpu === undefined) return [];
    const { signer, bare } = cpu;
    const ratioOfTotals = (signer.userUs + signer.systemUs) / (bare.userUs + bare.systemUs);
    return [[`${prefix} (${curve})`, String(concurrency), µs(signer.userUs), µs(signer.systemUs), µs(bare.userUs), µs(bare.systemUs), ratio(ratioOfTotals)]];
  });
  if (rows.length === 0) return '';
  const header = ['key', 'in flight', 'signer user µs', 'signer system µs', 'bare server user µs', 'bare server system µs', 'signer ÷ bare'];
  return (
    '**CPU per signature.** What each server\'s process used (all its threads: the event loop and libuv\'s pool, which makes ' +
    'the file calls) over its slices, read from /proc, divided by its answers: **user** is its own code, **system** the ' +
    'kernel\'s work on its behalf (the file calls, their flushes\' bookkeeping, the loopback TCP).\n\n' +
    `${table(header, rows)}${cpuAtMany(shipped)}`
  );
}

/** What the CPU per signature says of 64 in flight, with this run's tz1 figures. */
function cpuAtMany(shipped: readonly LocalCase[]): string {
  const cpu = shipped.find((c) => c.prefix === 'tz1' && c.concurrency === 64)?.cpu;
  if (cpu === undefined) return '';
  const { signer, bare } = cpu;
  return (
    `\n\nAt 64 in flight both cores are busy (the load's process takes its share), so signatures/s follow the CPU each ` +
    `signature costs: here ${µs(signer.userUs + signer.systemUs)} µs for the signer's process (${µs(signer.systemUs)} in the kernel) ` +
    `against ${µs(bare.userUs + bare.systemUs)} µs for the bare server's (${µs(bare.systemUs)} in the kernel). The bare server's ` +
    'durable write is a temporary file and a rename over the one file of its key, all keys in one folder; the signer\'s commit ' +
    'is a temporary file linked into its key\'s own folder, the temporary name removed, that folder flushed and listed, and ' +
    'every few levels the marks below the highest removed: more file calls, each a trip through the pool and the kernel.'
  );
}

/** Why no HTTP server reaches the floor at 64 in flight here, with this run's tz1 figures. */
function floorOutOfReach(shipped: readonly LocalCase[]): string {
  const many = shipped.find((c) => c.prefix === 'tz1' && c.concurrency === 64);
  const figuresSaid =
    many === undefined
      ? ''
      : `At 64 in flight over 64 keys the floor made ${rate(many.floor)} tz1 signatures/s, the bare server ${rate(many.bare)} ` +
        `(${ratio(many.bare.perSecond / many.floor.perSecond)} of the floor) and the signer ${rate(many.signer)} ` +
        `(${ratio(many.signer.perSecond / many.bare.perSecond)} of the bare server, ${ratio(many.signer.perSecond / many.floor.perSecond)} of the floor). `;
  return (
    `${figuresSaid}The floor is the work alone, in a loop that owns both cores: no request to build, send, parse or answer. Over ` +
    'HTTP every signature also costs a request written and an answer read by the client (here a lean one, in a process of its ' +
    'own on the same two cores, as a baker on the signer\'s machine would be), two trips through the kernel\'s loopback TCP, and ' +
    'the server\'s reading, parsing and answering: together several times the CPU of an Ed25519 signature and its verification. ' +
    'On two cores shared by client and server, that, not the disk, bounds any HTTP server, the bare one too; the fair yardstick ' +
    'for the signer is therefore the bare server doing the same work with asynchronous file calls, and the floor stays on the ' +
    'page as the limit of the machine.'
  );
}

export function bakeryTable(rows: readonly BakeryRow[]): string {
  const seconds = (value: number) => (value / 1000).toFixed(2);
  return table(
    ['keys', 'listening s', 'ready s', 'first level after ready: last answer s', 'p50 ms', 'p99 ms', 'last answer s', 'RSS MiB', 'failed closed', 'bare server: last answer s'],
    rows.map((r) => [
      r.setup,
      seconds(r.listeningMs),
      seconds(r.readyMs),
      seconds(r.firstLevelMs),
      ms(r.burst.p50),
      ms(r.burst.p99),
      seconds(r.lastAnswerMs),
      r.rssMiB.toFixed(0),
      String(r.failed),
      r.bare === undefined ? '–' : seconds(r.bare.lastAnswerMs),
    ]),
  );
}

function targetsTable(targets: readonly Target[], what: string): string {
  return table([what, 'measured', 'met'], targets.map((t) => [t.name, t.measured, t.met ? 'yes' : 'no']));
}

export function writePage(figures: PageFigures): string {
  const vaultIdeal = (concurrency: number) => (1000 * concurrency) / figures.vaultLatencyMs;
  const [localBakery] = figures.bakery;
  return `# Benchmarks

Written by \`pnpm bench --write-docs\` (bench/page-cases.ts measures, bench/page-writer.ts writes); do not edit by hand.

## The machine

${machineSection(figures)}

The machine is shared (other work ran on its two cores during the run), so absolute figures are noisy: compare the figures **within** this run, as ratios. Every case below sets the signer beside a bare server and a floor measured in alternating slices of the same run, so that a slow spell of the host falls on all of them alike. A p99 at 1 in flight rests on the slowest 1 % of a few thousand answers, so one slow spell of the disk or the host still moves it by milliseconds from one run to the next: rerun before reading much into one p99.${unjournaledNote(figures.machine)}

## The shipped command, end to end

What a baker runs: the \`tezsigner\` command ${figures.command}, started as \`tezsigner serve\` with its defaults (only the ports chosen free: \`--port 0 --metrics-port 0\`) in a process of its own: the local vault's ${figures.shippedStart.keys} encrypted keys (ready ${(figures.shippedStart.readyMs / 1000).toFixed(2)} s after it started), the file watermark store on the local disk (every signature's mark fsynced before its answer), the audit log, the request log (its standard output, read through a pipe as journald reads the shipped systemd unit's) and the metrics listener. One key per request in flight, each signing at rising levels (blocks for tz1–tz3, attestations for tz4). Three processes take part:

- **signer**: that \`tezsigner serve\`;
- **bare server**: a bare \`node:http\` server in a process of its own that signs, verifies and makes one fsynced atomic write per request with asynchronous file calls (temporary file, rename, folder fsync), with no parsing, watermark rule or log: what any durable signer pays over HTTP on this machine;
- **floor**: the same sign + verify + durable write in a tight loop in the bare server's process, no HTTP: the raw floor;

and the load comes from a third process (a lean keep-alive HTTP/1.1 client). Before a curve's first case, each server signs with that curve for 8 s, a second at a time in turns: both answer more slowly over their first few thousand requests (an idle wait as long does not help, so it is the processes warming up under load, not the machine settling), and these rows are the steady state of a signer that runs for weeks; the bakery's rows below measure the first seconds after a start. Then the three take turns in slices of 0.5 s (ten slices each at 1 in flight, four at 8 and 64), each server warmed up for 1 s first.

${localTable(figures.shipped)}

![p50 and p99 latency against requests in flight, shipped signer and bare server, per curve](${CHART_FILE})

### The request path's targets

${targetsTable(requestPathTargets(figures.shipped), 'target (tz1, shipped command, same run)')}

### Why the raw floor is out of reach over HTTP

${floorOutOfReach(figures.shipped)}

### Where the rest of the time goes

${timeGoes(figures.shipped)}

${cpuTable(figures.shipped)}

## A bakery at scale

One signer with ${localBakery?.keys ?? 500} keys, then sent what a baker sends at each level: a preattestation for every key at once, then, once all are answered, an attestation for every key (a keep-alive connection per key, opened beforehand). tz1 runs the installed command on its local encrypted vault twice: its **first start** (no unlock cache yet: every key opened from its own file) and a **restart** (the unlock cache the first start wrote: every key opened with one PBKDF2). tz2 runs the same bundle on the Key Vault stand-in (a process of its own, answering each request after ${figures.vaultLatencyMs} ms), with the stand-in's test credential in place of Azure's (the shipped command has no way to trust a test certificate, by design). **listening**: from the start of \`serve\` to its "listening" line; **ready**: to its first ready \`/readyz\`, which waits for every key to be open. **First level after ready** is sent the moment it is ready (a restarted baker's next level); then three levels in a row give the p50 and p99 of their 3,000 answers and the median time from a level's first request to the last of its 1,000 answers (**last answer**); **RSS** is the signer's resident memory after them. **Bare server**: each of those tz1 levels is then sent to the bare server of the tables above (a process of its own with as many tz1 keys, each request signed, verified and written with one fsynced atomic write, after a first level of its own), the median of its last answers: what a level takes on this machine with nothing of the signer's.

${bakeryTable(figures.bakery)}

Each encrypted key costs tens of milliseconds of PBKDF2 to open, by design of its encryption at rest (octez's), so opening ${localBakery?.keys ?? 500} of them from their files takes seconds of both cores: the first start's figure. \`serve\` then writes every key it opened into \`<home>/unlock-cache\`, sealed under the vault passphrase with the same PBKDF2 and a fresh salt (a passphrase guess costs what it costs against any one key file; see [Keys](keys.md)), and a restart opens them all from it with one PBKDF2, each checked against its key file's public key. Either way \`serve\` listens as soon as it has listed the keys and the cached ones are open; the others are decrypted in the background, as many at a time as there are cores, and a request for a key not yet open opens that key first and waits for it. \`/readyz\` says ready only once every key is open, so a signer that says so answers a level at once.

${targetsTable(bakeryTargets(figures.bakery), 'target (same run)')}

## In-process breakdown

Not the shipped command: the signer assembled inside the benchmark's own process (a memory key provider, the file store, \`startSignerServer\`, no audit log, request log or metrics), with the bare server and the floor in that same process and the load on a thread of it. It isolates the library's own request path from the command's wiring; the figures above are the ones a baker gets.

${localTable(figures.local)}

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
pnpm bench --write-docs   # rewrites docs/benchmarks.md and docs/${CHART_FILE} (about ${Math.ceil(figures.seconds / 60)} min on 2 cores; installs the command with install.sh into a temporary folder first)
pnpm bench                # every suite, printed to the console only
pnpm bench http           # one suite by name
\`\`\`
`;
}
