// The stand-in in a process of its own (for the benchmark, so its signing does not compete with
// the client's CPU): `node --conditions=source --import tsx key-vault-stand-in-process.ts
// <latencyMs> <tz2 keys> <tz3 keys>`. Prints one JSON line { url, certificate, token } once
// listening, and stops when its stdin closes, i.e. when the parent goes away.
import { KeyVaultStandIn } from './key-vault-stand-in.js';

const [latency = '0', tz2 = '1', tz3 = '1'] = process.argv.slice(2);
const standIn = await KeyVaultStandIn.start();
standIn.latencyMs = Number(latency);
for (let i = 0; i < Number(tz2); i++) standIn.vault.generate({ name: `bench-tz2-${i}`, curve: 'secp256k1' });
for (let i = 0; i < Number(tz3); i++) standIn.vault.generate({ name: `bench-tz3-${i}`, curve: 'p256' });
process.stdout.write(`${JSON.stringify({ url: standIn.url, certificate: standIn.certificate, token: standIn.token })}\n`);

const stop = () => {
  void standIn.stop().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
