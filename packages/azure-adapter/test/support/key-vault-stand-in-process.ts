// The stand-in in a process of its own (for the benchmark, so its signing does not compete with
// the client's CPU and the client's CPU can be measured alone): `node --conditions=source
// --import tsx key-vault-stand-in-process.ts <latencyMs> <tz2 keys> <tz3 keys> [token] [tz2 crv]`
// (the token it accepts, by default its own, and the curve name of its tz2 keys, by default
// P-256K: the original signer sends a token of its own and knows tz2 keys by their older name,
// SECP256K1). Prints one JSON
// line { url, certificate, token } once listening; then reads commands, one per line on stdin:
// `latency <ms>` sets the latency, `stats` prints one JSON line { requests, signRequests,
// tlsConnections, cpuMs } (totals since start). Stops when its stdin closes, i.e. when the
// parent goes away.
import { createInterface } from 'node:readline';
import { KeyVaultStandIn } from './key-vault-stand-in.js';

const [latency = '0', tz2 = '1', tz3 = '1', token = '', tz2Crv = ''] = process.argv.slice(2);
const standIn = await KeyVaultStandIn.start(token === '' ? {} : { token });
standIn.latencyMs = Number(latency);
for (let i = 0; i < Number(tz2); i++) standIn.vault.generate({ name: `bench-tz2-${i}`, curve: 'secp256k1', ...(tz2Crv === '' ? {} : { crv: tz2Crv }) });
for (let i = 0; i < Number(tz3); i++) standIn.vault.generate({ name: `bench-tz3-${i}`, curve: 'p256' });
process.stdout.write(`${JSON.stringify({ url: standIn.url, certificate: standIn.certificate, token: standIn.token })}\n`);

let requests = 0;
let signRequests = 0;
const stop = () => {
  void standIn.stop().finally(() => process.exit(0));
};
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const [command, argument] = line.trim().split(/\s+/);
  if (command === 'latency') standIn.latencyMs = Number(argument);
  if (command === 'stats') {
    // the log is emptied as it is counted, so a long run does not grow it without bound
    requests += standIn.requests.length;
    signRequests += standIn.requests.filter((r) => r.operation === 'sign').length;
    standIn.requests.length = 0;
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ requests, signRequests, tlsConnections: standIn.tlsConnections, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  }
});
commands.on('close', stop);
process.on('SIGTERM', stop);
