import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KeyVaultStandIn } from '../../../azure-adapter/test/support/key-vault-stand-in.js';
import { tempHome } from '../support/run-cli.js';
import { nodeEntry } from '../../../../test-support/bundled-entry.js';

// Production's credential (DefaultAzureCredential) with its managed identity pointed, through
// IDENTITY_ENDPOINT, at an endpoint of this test on 127.0.0.1 that fails or never answers.
// AZURE_TOKEN_CREDENTIALS=prod keeps the developer tools (Azure CLI, PowerShell) out of the
// chain, and IDENTITY_ENDPOINT/IDENTITY_HEADER select the App Service identity, so nothing asks
// the instance metadata service (169.254.169.254) or a Microsoft host.

const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
const ENTRY = resolve(import.meta.dirname, '../support/azure-serve-process.ts');

type Behaviour = 'fails' | 'never answers';

let standIn: KeyVaultStandIn;
let home: Awaited<ReturnType<typeof tempHome>>;
const endpoints = new Map<Behaviour, { server: Server; url: string; hits: () => number }>();

async function identityEndpoint(behaviour: Behaviour): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    if (behaviour === 'never answers') return;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'internal', error_description: 'the identity endpoint is broken' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/msi/token`, hits: () => hits };
}

beforeAll(async () => {
  standIn = await KeyVaultStandIn.start();
  standIn.vault.generate({ name: 'baker', curve: 'secp256k1' });
  home = await tempHome();
  for (const behaviour of ['fails', 'never answers'] as const) endpoints.set(behaviour, await identityEndpoint(behaviour));
});

afterAll(async () => {
  for (const { server } of endpoints.values()) {
    server.closeAllConnections();
    server.close();
  }
  await standIn.stop();
  await home.remove();
});

/** One tezsigner process with production's credential; its exit code, stderr and how long it ran. */
async function run(args: string[], identityUrl: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AZURE_|IDENTITY_|MSI_|IMDS_)/.test(name)));
  const node = await nodeEntry(ENTRY);
  const started = performance.now();
  const child = spawn(process.execPath, [...node.args, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...env,
      ...node.env,
      TEZSIGNER_TEST_AZURE_IDENTITY: 'production',
      TEZSIGNER_TEST_AZURE_CA: standIn.certificate,
      IDENTITY_ENDPOINT: identityUrl,
      IDENTITY_HEADER: 'test-identity-header',
      AZURE_TOKEN_CREDENTIALS: 'prod',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // a process still running after this is the defect itself: stop it and let the test say so
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, stderr, ms: performance.now() - started };
}

const commands: Array<[string, () => string[]]> = [
  ['serve', () => ['serve', '--vault', 'azure', '--azure-vault-url', standIn.url, '--home', home.path, '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0']],
  ['azure keys list', () => ['azure', 'keys', 'list', '--azure-vault-url', standIn.url]],
];

describe.concurrent.each(commands)('%s', (_, args) => {
  test('exits 1, naming the credential that gave no token, when the identity endpoint never answers', async () => {
    const endpoint = endpoints.get('never answers');
    if (endpoint === undefined) throw new Error('no endpoint');
    const { code, stderr, ms } = await run(args(), endpoint.url);
    expect(code).toBe(1);
    expect(ms).toBeLessThan(60_000);
    const error = stderr.split('\n').find((line) => line.startsWith('tezsigner: error:'));
    expect(error).toMatch(/DefaultAzureCredential gave no token within 10000 ms/);
    expect(endpoint.hits()).toBeGreaterThan(0);
  }, 120_000);

  test('exits 1 with the managed identity’s own answer first, not the last credential of the chain', async () => {
    const endpoint = endpoints.get('fails');
    if (endpoint === undefined) throw new Error('no endpoint');
    const { code, stderr } = await run(args(), endpoint.url);
    expect(code).toBe(1);
    const error = stderr.split('\n').find((line) => line.startsWith('tezsigner: error:'));
    expect(error).toMatch(/DefaultAzureCredential got no token: ManagedIdentityCredential: Authentication failed\..*the identity endpoint is broken/);
    expect(error).not.toMatch(/no answer within|Azure CLI|PowerShell|Not Available/);
    expect(endpoint.hits()).toBeGreaterThan(0);
  }, 120_000);
});
