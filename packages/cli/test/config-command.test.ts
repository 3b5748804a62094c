import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLoopbackCertificate } from '../../http-server/test/support/tls-certificates.js';
import { keyVector } from '../../http-server/test/support/test-signer.js';
import { CONFIG_FIELDS } from '../src/config/config-fields.js';
import { oneLineError, runTezsigner, tempHome } from './support/run-cli.js';

let dir: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  dir = await tempHome();
});
afterEach(() => dir.remove());

async function file(name: string, text: string, mode = 0o600): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, text, { mode });
  return path;
}

describe('tezsigner config check', () => {
  test('a valid file, and the files it names, pass', async () => {
    const { cert, key } = await createLoopbackCertificate();
    const keys = await file('authorized_keys', `${keyVector('ed25519-2').public_key}\n`);
    const config = await file(
      'tezsigner.yaml',
      [
        `home: ${dir.path}`,
        'listen: { address: 127.0.0.1, port: 6732 }',
        `tls: { cert: ${await file('cert.pem', cert)}, key: ${await file('key.pem', key)} }`,
        `authorized-keys: ${keys}`,
        'chain-ids: [NetXdQprcVkpaWU]',
        'magic-bytes: "0x11,0x12,0x13"',
      ].join('\n'),
    );
    const run = await runTezsigner(['config', 'check', config]);
    expect(run).toMatchObject({ code: 0, stdout: `${config}: valid\n` });
  });

  test.each([
    ['a setting of the wrong type', 'listen:\n  port: yes\n', /^tezsigner: error: \S+tezsigner\.yaml:2: listen\.port: /],
    ['a misspelt setting', 'authorised-keys: /x\n', /^tezsigner: error: \S+tezsigner\.yaml:1: unknown setting authorised-keys$/],
    ['a certificate without its key', 'tls:\n  cert: /etc/cert.pem\n', /give --tls-cert and --tls-key together/],
    ['a client CA without a certificate', 'tls:\n  client-ca: /etc/ca.pem\n', /--tls-client-ca needs --tls-cert and --tls-key/],
    ['a vault that does not exist', 'vault: yubihsm\n', /vault "yubihsm": choose one of local, azure/],
    ['magic bytes that do not exist', 'magic-bytes: [0x42]\n', /0x42/],
    ['a header timeout above the request timeout', 'limits: { headers-timeout-ms: 20000, request-timeout-ms: 10000 }\n', /limits\.headers-timeout-ms \(20000\) cannot exceed limits\.request-timeout-ms \(10000\)/],
    ['an authorized keys file that is missing', 'authorized-keys: /nonexistent/keys\n', /cannot read the authorized keys file \/nonexistent\/keys: it does not exist \(check the path\) \[ENOENT\]/],
    ['a TLS key that is missing', 'tls: { cert: /nonexistent/c.pem, key: /nonexistent/k.pem }\n', /cannot read the TLS certificate \/nonexistent\/c\.pem: ENOENT/],
  ])('%s is one error line naming the problem', async (_what, text, expected) => {
    const config = await file('tezsigner.yaml', text);
    expect(oneLineError(await runTezsigner(['config', 'check', config]))).toMatch(expected);
  });

  test('takes the file as --config too, as serve and config show do; one file at a time', async () => {
    const config = await file('tezsigner.yaml', 'log-level: warn\n');
    expect(await runTezsigner(['config', 'check', '--config', config])).toMatchObject({ code: 0, stdout: `${config}: valid\n` });
    expect(oneLineError(await runTezsigner(['config', 'check']))).toBe('tezsigner: error: which file? tezsigner config check FILE (or --config FILE)');
    const other = await file('other.yaml', 'log-level: warn\n');
    expect(oneLineError(await runTezsigner(['config', 'check', config, '--config', other]))).toContain(`two configuration files, ${config} and --config ${other}`);
  });

  test('a policy file beside magic bytes names where each is set, file and line', async () => {
    const policy = await file('policy.yaml', 'default:\n  block: allow\n');
    const config = await file('tezsigner.yaml', `log-level: info\npolicy: ${policy}\nmagic-bytes: [0x11]\n`);
    expect(oneLineError(await runTezsigner(['config', 'check', config]))).toBe(
      `tezsigner: error: both policy (${config}:2) and magic-bytes (${config}:3) are set: a policy file says per kind what is signed, so remove magic-bytes`,
    );
    const flagged = await runTezsigner(['serve', '--config', config, '--no-metrics', '--port', '0'], { env: { TEZSIGNER_HOME: dir.path } });
    expect(oneLineError(flagged)).toContain(`both policy (${config}:2) and magic-bytes (${config}:3) are set`);
    const withFlag = await runTezsigner(['config', 'check', await file('policy-only.yaml', `policy: ${policy}\n`)]);
    expect(withFlag.code, withFlag.stderr).toBe(0);
    const both = await runTezsigner(['config', 'show', '--config', await file('policy-only.yaml', `policy: ${policy}\n`), '--magic-bytes', '0x11']);
    expect(oneLineError(both)).toContain('both policy (');
    expect(oneLineError(both)).toContain('and magic-bytes (--magic-bytes) are set');
  });

  test('a file that does not exist', async () => {
    expect(oneLineError(await runTezsigner(['config', 'check', '/nonexistent/tezsigner.yaml']))).toBe(
      'tezsigner: error: cannot read the configuration file /nonexistent/tezsigner.yaml: it does not exist (check the path) [ENOENT]',
    );
  });
});

describe('tezsigner config show', () => {
  test('what serve would use with these flags, environment and file, each with its source, secrets masked', async () => {
    const config = await file(
      'tezsigner.yaml',
      'listen: { port: 7000 }\nlog-level: warn\nazure-table: { connection-string: "AccountName=a;AccountKey=SHOWFILESECRET==" }\n',
    );
    const run = await runTezsigner(['config', 'show', '--config', config, '--log-level', 'debug'], {
      env: { TEZSIGNER_HOME: '/srv/tezsigner', TEZSIGNER_PASSPHRASE: 'show test passphrase' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^listen\.port: +7000 +\(file\)$/m);
    expect(run.stdout).toMatch(/^log-level: +debug +\(flag --log-level\)$/m);
    expect(run.stdout).toMatch(/^home: +\/srv\/tezsigner +\(env TEZSIGNER_HOME\)$/m);
    expect(run.stdout).toMatch(/^listen\.address: +127\.0\.0\.1 +\(default\)$/m);
    expect(run.stdout).toMatch(/^azure-table\.connection-string: +\*{8} +\(file\)$/m);
    expect(run.stdout).toMatch(/^passphrase-file: +\*{8} +\(env TEZSIGNER_PASSPHRASE\)$/m);
    expect(run.stdout).not.toContain('SHOWFILESECRET');
    expect(run.stdout).not.toContain('show test passphrase');
  });

  test('an option serve does not know is refused', async () => {
    const run = await runTezsigner(['config', 'show', '--listen-port', '7000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tezsigner: error: unknown option '--listen-port'");
  });

  test('a mistake in the file is reported as config check does', async () => {
    const config = await file('tezsigner.yaml', 'listen:\n  port: -1\n');
    expect(oneLineError(await runTezsigner(['config', 'show', '--config', config]))).toMatch(/tezsigner\.yaml:2: listen\.port: /);
  });
});

describe('safer defaults of serve', () => {
  test('a passphrase file others can read is refused before any key is opened', async () => {
    const passphrase = await file('passphrase', 'open passphrase file\n', 0o644);
    const run = await runTezsigner(['serve', '--port', '0', '--no-metrics', '--passphrase-file', passphrase], { env: { TEZSIGNER_HOME: dir.path } });
    expect(oneLineError(run)).toBe(`tezsigner: error: the passphrase file ${passphrase} is open to group or others (mode 0644): run chmod 600 ${passphrase} (or use systemd's LoadCredential=)`);
  });

  test('--vault azure with the file store warns that two machines need the shared table store', async () => {
    const run = await runTezsigner(['serve', '--port', '0', '--no-metrics', '--vault', 'azure'], { env: { TEZSIGNER_HOME: dir.path } });
    // no vault URL: it stops there, after the warning
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/warning: --vault azure with the file watermark store: .*two machines serving the same HSM key .*--watermark-store azure-table/);
  });
});

describe('deploy/', () => {
  const DEPLOY = join(import.meta.dirname, '../../../deploy');

  test('the example configuration passes config check', async () => {
    const run = await runTezsigner(['config', 'check', join(DEPLOY, 'tezsigner.yaml')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  test('the example configuration with its policy line uncommented (the obvious edit) passes config check', async () => {
    const example = await readFile(join(DEPLOY, 'tezsigner.yaml'), 'utf8');
    expect(example).toMatch(/^# policy: \/etc\/tezsigner\/policy\.yaml/m);
    const policy = await file('policy.yaml', 'default:\n  block: allow\n  attestation: confirm\n');
    const edited = await file('tezsigner.yaml', example.replace(/^# policy: \/etc\/tezsigner\/policy\.yaml/m, `policy: ${policy}`));
    const run = await runTezsigner(['config', 'check', edited]);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: `${edited}: valid\n` });
  });

  test.each(['tezsigner-local.service', 'tezsigner-azure.service'])('%s is hardened and its serve line parses', async (unit) => {
    const text = await readFile(join(DEPLOY, unit), 'utf8');
    for (const directive of ['User=tezsigner', 'ProtectSystem=strict', 'NoNewPrivileges=true', 'StateDirectory=tezsigner', 'StateDirectoryMode=0700', 'LimitCORE=0', 'ExecReload=/bin/kill -HUP $MAINPID']) {
      expect(text.split('\n')).toContain(directive);
    }
    const execStart = /^ExecStart=\S+ serve (.*)$/m.exec(text)?.[1];
    if (execStart === undefined) throw new Error(`no ExecStart in ${unit}`);
    const args = execStart
      .split(/\s+/)
      .map((arg) => (arg === '/etc/tezsigner/tezsigner.yaml' ? join(DEPLOY, 'tezsigner.yaml') : arg.replace('%d', '/run/credentials/tezsigner.service')));
    const run = await runTezsigner(['config', 'show', ...args]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^home: +\/var\/lib\/tezsigner +\(file\)$/m);
  });
});

test("the production guide lists every flag whose file key is not its long name (grouped under its backend or listener)", async () => {
  const guide = await readFile(join(import.meta.dirname, '../../../docs/production.md'), 'utf8');
  const section = guide.slice(guide.indexOf('## One configuration file'), guide.indexOf('## TLS'));
  const listed = new Map([...section.matchAll(/`(--[\w-]+)` is `([\w.-]+)`/g)].map((match) => [match[1], match[2]]));
  const byRule = (flag: string, key: string): boolean => {
    const name = flag.replace(/^--(\[no-\])?/, '');
    const dot = key.lastIndexOf('.');
    return name === key || (dot > 0 && name === `${key.slice(0, dot)}-${key.slice(dot + 1)}`);
  };
  const differing = CONFIG_FIELDS.filter((field) => field.flag !== undefined && !byRule(field.flag, field.key));
  expect(differing.length).toBeGreaterThan(0);
  for (const field of differing) expect(listed.get(field.flag ?? ''), field.flag).toBe(field.key);
  for (const [flag, key] of listed) expect(CONFIG_FIELDS.find((field) => field.flag === flag)?.key, flag).toBe(key);
});
