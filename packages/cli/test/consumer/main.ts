// A library user's program, compiled and run by release-tarballs.test.ts in a fresh npm project
// where the release tarballs are installed: it signs through the packages as published, and prints
// what happened as one JSON line for the test to check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTezsignerError, SignerService, type CommitResult, type SignedMark, type StoredWatermark, type WatermarkEntry, type WatermarkKey, type WatermarkStore } from '@tezsigner/core';
import { buildAttestationRequest, buildBlockRequest, checkWatermarkStore, PortContractError } from '@tezsigner/core/testing';
import { FileWatermarkStore, LocalKeyVault } from '@tezsigner/local-adapter';
import { startSignerServer } from '@tezsigner/http-server';
import { Pkcs11KeyProvider } from '@tezsigner/pkcs11-adapter';
import { TableWatermarkStore } from '@tezsigner/azure-adapter';

/** A store of the user's own: rows shared by its instances, each commit one compare-and-set. */
class RowStore implements WatermarkStore {
  readonly name: string = 'rows';
  constructor(protected readonly rows: Map<string, { key: WatermarkKey; watermark: StoredWatermark }>) {}
  protected id(key: WatermarkKey): string {
    return `${key.chainId}/${key.pkh}/${key.kind}`;
  }
  protected isAbove(mark: SignedMark, stored: StoredWatermark | undefined): boolean {
    return stored === undefined || mark.level > stored.level || (mark.level === stored.level && mark.round > stored.round);
  }
  async read(key: WatermarkKey): Promise<StoredWatermark | undefined> {
    return this.rows.get(this.id(key))?.watermark;
  }
  async commit(key: WatermarkKey, mark: SignedMark): Promise<CommitResult> {
    const stored = this.rows.get(this.id(key))?.watermark;
    if (stored !== undefined && !this.isAbove(mark, stored)) return { committed: false, stored };
    this.rows.set(this.id(key), { key, watermark: mark });
    return { committed: true };
  }
  async list(): Promise<readonly WatermarkEntry[]> {
    return [...this.rows.values()];
  }
}

/** The naive one: reads, then writes, an await apart. */
class RacyRowStore extends RowStore {
  override readonly name = 'racy rows';
  override async commit(key: WatermarkKey, mark: SignedMark): Promise<CommitResult> {
    const stored = await this.read(key);
    if (stored !== undefined && !this.isAbove(mark, stored)) return { committed: false, stored };
    await new Promise((resolve) => setImmediate(resolve));
    this.rows.set(this.id(key), { key, watermark: mark });
    return { committed: true };
  }
}

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return 'fulfilled';
  } catch (err) {
    return isTezsignerError(err) ? err.code : `not a TezsignerError: ${String(err)}`;
  }
};

const home = await mkdtemp(join(tmpdir(), 'tezsigner-consumer-'));
try {
  const vault = await LocalKeyVault.open({ home, passphrase: 'consumer passphrase' });
  const key = await vault.generate('ed25519', { name: 'baker' });
  const signer = new SignerService({ keys: await vault.keyProvider(), watermarks: await FileWatermarkStore.open({ home }) });

  const block = buildBlockRequest({ level: 42, round: 0, payloadHash: new Uint8Array(32).fill(1) });
  const first = await signer.sign(key.pkh, block);
  const again = await signer.sign(key.pkh, block);
  const conflict = await codeOf(signer.sign(key.pkh, buildBlockRequest({ level: 42, round: 0, payloadHash: new Uint8Array(32).fill(2) })));

  const rows = new Map<string, { key: WatermarkKey; watermark: StoredWatermark }>();
  await checkWatermarkStore(() => new RowStore(rows));
  let racy = 'passed';
  try {
    const racyRows = new Map<string, { key: WatermarkKey; watermark: StoredWatermark }>();
    await checkWatermarkStore(() => new RacyRowStore(racyRows));
  } catch (err) {
    racy = err instanceof PortContractError ? err.rule : `not a PortContractError: ${String(err)}`;
  }

  const server = await startSignerServer({ signer, port: 0 });
  const post = async (bytes: Uint8Array) => {
    const response = await fetch(`${server.url}/keys/${key.pkh}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Buffer.from(bytes).toString('hex')) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const attestation = buildAttestationRequest({ level: 43, round: 1, payloadHash: new Uint8Array(32).fill(3) });
  const http = {
    signed: await post(attestation),
    repeated: await post(attestation),
    conflict: await post(buildAttestationRequest({ level: 43, round: 1, payloadHash: new Uint8Array(32).fill(4) })),
  };
  await server.close();
  await signer.close();

  // PKCS#11: installed without its native binding (no compiler, or --ignore-scripts)
  const pkcs11 = await Pkcs11KeyProvider.open({ modulePath: '/nonexistent/libpkcs11.so', token: { label: 'baker' }, pin: '1234' }).then(
    () => 'opened',
    (err: unknown) => (isTezsignerError(err) ? `${err.code}: ${err.message}` : String(err)),
  );
  const table = typeof TableWatermarkStore === 'function';

  console.log(JSON.stringify({ key, bytes: Buffer.from(block).toString('hex'), first, again, conflict, racy, http, attestation: Buffer.from(attestation).toString('hex'), pkcs11, table }));
} finally {
  await rm(home, { recursive: true, force: true });
}
