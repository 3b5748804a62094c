// `tezsigner` as a child process for end-to-end tests against the Key Vault stand-in: the real
// command line (parsing, `serve`, the backend registry, the HTTP server, how the process ends),
// with `--vault azure` registered with the stand-in's certificate and a static test token
// instead of production's DefaultAzureCredential. The shipped main.ts has no such path: the
// swap happens here, in test code, through the registry (the seam where backends are chosen).
// With TEZSIGNER_TEST_AZURE_IDENTITY=production the credential is production's own, for tests
// that point its managed identity at an endpoint of their own on 127.0.0.1.
import { StaticTokenCredential } from '../../../azure-adapter/test/support/static-credential.js';
import { azureCredential } from '../../src/backends/azure-identity.js';
import { azureVault } from '../../src/backends/azure-key-vault.js';
import { VAULTS } from '../../src/backends/registry.js';
import { processIo, runAsProcess } from '../../src/io/process-io.js';
import { runCli } from '../../src/program.js';

const token = process.env['TEZSIGNER_TEST_AZURE_TOKEN'];
const certificate = process.env['TEZSIGNER_TEST_AZURE_CA'];
const production = process.env['TEZSIGNER_TEST_AZURE_IDENTITY'] === 'production';
if ((token === undefined && !production) || certificate === undefined) {
  throw new Error('TEZSIGNER_TEST_AZURE_CA and TEZSIGNER_TEST_AZURE_TOKEN (or TEZSIGNER_TEST_AZURE_IDENTITY=production) are required');
}
if (production && !/^http:\/\/127\.0\.0\.1:\d+\//.test(process.env['IDENTITY_ENDPOINT'] ?? '')) {
  throw new Error('the production credential is only run here against a managed identity endpoint on 127.0.0.1 (IDENTITY_ENDPOINT)');
}

const access = {
  credential: production ? azureCredential : () => new StaticTokenCredential(token ?? ''),
  clientOptions: { tlsOptions: { ca: certificate }, disableChallengeResourceVerification: true },
};
VAULTS['azure'] = azureVault(access);
await runAsProcess(() => runCli(process.argv.slice(2), processIo(), access));
