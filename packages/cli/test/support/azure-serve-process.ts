// `tezsigner` as a child process for end-to-end tests against the Key Vault stand-in: the real
// command line (parsing, `serve`, the backend registry, the HTTP server), with `--vault azure`
// registered with a static test token and the stand-in's certificate instead of production's
// DefaultAzureCredential. The shipped main.ts has no such path: the swap happens here, in test
// code, through the registry (the seam where backends are chosen).
import { StaticTokenCredential } from '../../../azure-adapter/test/support/static-credential.js';
import { azureVault } from '../../src/backends/azure-key-vault.js';
import { VAULTS } from '../../src/backends/registry.js';
import { processIo } from '../../src/process-io.js';
import { runCli } from '../../src/program.js';

const token = process.env['TEZSIGNER_TEST_AZURE_TOKEN'];
const certificate = process.env['TEZSIGNER_TEST_AZURE_CA'];
if (token === undefined || certificate === undefined) {
  throw new Error('TEZSIGNER_TEST_AZURE_TOKEN and TEZSIGNER_TEST_AZURE_CA are required');
}

VAULTS['azure'] = azureVault({
  credential: () => new StaticTokenCredential(token),
  clientOptions: { tlsOptions: { ca: certificate }, disableChallengeResourceVerification: true },
});
process.exitCode = await runCli(process.argv.slice(2), processIo());
