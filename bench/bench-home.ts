// A tezsigner home for the shipped command's cases, as `tezsigner init` leaves one (a random
// passphrase in <home>/passphrase, keys encrypted with it in <home>/keys, 0600 files in 0700
// folders), holding as many keys of each curve as the cases need. The key files are written
// here in parallel with the vault's own format and encryption: through LocalKeyVault, which
// takes its lock and reads every stored key to add one (a duplicate check), 500 keys would take
// minutes of the run.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { derivePublicKey, encodePublicKey, encryptSecretKeyAsync, generateSecretKey, publicKeyHash, type Curve } from '../packages/core/src/index.js';
import { createHomePassphrase } from '../packages/local-adapter/src/index.js';
import { createFileAtomic } from '../packages/local-adapter/src/files/atomic-write.js';
import { keyFileName, serializeKeyFile } from '../packages/local-adapter/src/vault/key-file.js';

/** Key files encrypted at once: enough to keep both cores busy, few enough to leave the machine responsive. */
const AT_ONCE = 4;

export interface BenchHome {
  /** the HOME of the user running serve (the tezsigner home is its ~/.tezsigner) */
  readonly userHome: string;
  readonly home: string;
  /** the addresses of each curve's keys, in order */
  readonly pkhs: Readonly<Partial<Record<Curve, readonly string[]>>>;
}

/** `<userHome>/.tezsigner` with `counts[curve]` encrypted keys of each curve. */
export async function makeBenchHome(userHome: string, counts: Readonly<Partial<Record<Curve, number>>>): Promise<BenchHome> {
  const home = join(userHome, '.tezsigner');
  await mkdir(join(home, 'keys'), { recursive: true, mode: 0o700 });
  const { passphrase } = await createHomePassphrase(home);
  const pkhs: Partial<Record<Curve, string[]>> = {};
  const jobs = Object.entries(counts).flatMap(([curve, count]) => Array.from({ length: count }, (_, i) => ({ curve: curve as Curve, i })));
  for (let next = 0; next < jobs.length; next += AT_ONCE) {
    await Promise.all(
      jobs.slice(next, next + AT_ONCE).map(async ({ curve, i }) => {
        const secretKey = generateSecretKey(curve);
        const publicKey = derivePublicKey(secretKey);
        const pkh = publicKeyHash(curve, publicKey);
        const name = `${curve}-${i}`;
        const file = { name, curve, pkh, publicKey: encodePublicKey(curve, publicKey), created: new Date().toISOString(), secretKey: await encryptSecretKeyAsync(secretKey, passphrase) };
        await createFileAtomic(join(home, 'keys', keyFileName(name)), serializeKeyFile(file));
        (pkhs[curve] ??= [])[i] = pkh;
      }),
    );
  }
  return { userHome, home, pkhs };
}
