import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTezsignerError } from '@tezsigner/core';
import { describe, expect, test } from 'vitest';
import { rejection, thrownMessage } from '../../../../test-support/errors.js';
import { parseConfigFile, readConfigFile } from './config-file.js';

const F = '/etc/tezsigner.yaml';
const fails = (text: string) => thrownMessage('CONFIG_INVALID', () => parseConfigFile(text, F));

describe('parseConfigFile', () => {
  test('every setting, as an operator writes them', () => {
    const parsed = parseConfigFile(
      [
        'home: /var/lib/tezsigner',
        'vault: azure',
        'azure:',
        '  vault-url: https://baker.vault.azure.net',
        '  keys: [baker, consensus/0123abcd]',
        '  deadline-ms: 3000',
        'watermark-store: azure-table',
        'azure-table: { url: "https://acct.table.core.windows.net", name: marks }',
        'magic-bytes: [0x11, 0x12, 0x13]',
        'policy: /etc/tezsigner/policy.yaml',
        'listen: { address: 0.0.0.0, port: 6732 }',
        'chain-ids: [NetXdQprcVkpaWU]',
        'tls: { cert: /etc/tezsigner/cert.pem, key: /etc/tezsigner/key.pem, client-ca: /etc/tezsigner/ca.pem }',
        'authorized-keys: /etc/tezsigner/authorized_keys',
        'log-level: warn',
        'metrics: { address: 127.0.0.1, port: 9583 }',
        'limits: { headers-timeout-ms: 5000, max-connections: 256 }',
      ].join('\n'),
      F,
    );
    expect(parsed).toMatchObject({
      vault: 'azure',
      azure: { keys: ['baker', 'consensus/0123abcd'], 'deadline-ms': 3000 },
      'magic-bytes': [0x11, 0x12, 0x13],
      listen: { address: '0.0.0.0', port: 6732 },
      tls: { 'client-ca': '/etc/tezsigner/ca.pem' },
      limits: { 'headers-timeout-ms': 5000, 'max-connections': 256 },
    });
  });

  test('an empty file is an empty configuration', () => {
    expect(parseConfigFile('# nothing yet\n', F)).toEqual({});
  });

  test.each([
    ['a YAML syntax error', 'listen:\n  port: [6732\n', /^\/etc\/tezsigner\.yaml:\d+: not valid YAML: /],
    ['a misspelt setting', 'home: /x\nlisten:\n  adress: 0.0.0.0\n', /^\/etc\/tezsigner\.yaml:3: listen: unknown setting adress$/],
    ['an unknown top-level setting', 'home: /x\nport: 1\n', /^\/etc\/tezsigner\.yaml:2: unknown setting port$/],
    ['a port as text', 'listen:\n  port: "6732"\n', /^\/etc\/tezsigner\.yaml:2: listen\.port: expected a number, got text \("6732"\): write it without quotes$/],
    ['a port out of range', 'listen:\n  port: 70000\n', /^\/etc\/tezsigner\.yaml:2: listen\.port: /],
    ['a bad chain id', 'chain-ids:\n  - NetXdQprcVkpaWU\n  - mainnet\n', /^\/etc\/tezsigner\.yaml:3: chain-ids\.1: not a chain id \(Net…\)$/],
    ['a log level that does not exist', 'log-level: loud\n', /^\/etc\/tezsigner\.yaml:1: log-level: /],
    ['an http vault URL', 'azure:\n  vault-url: http://v.vault.azure.net\n', /^\/etc\/tezsigner\.yaml:2: azure\.vault-url: /],
    ['a timeout below 100 ms', 'limits:\n  headers-timeout-ms: 5\n', /^\/etc\/tezsigner\.yaml:2: limits\.headers-timeout-ms: /],
    ['a list where a map belongs', 'tls: [a, b]\n', /^\/etc\/tezsigner\.yaml:1: tls: /],
    ['a duplicated key', 'home: /a\nhome: /b\n', /^\/etc\/tezsigner\.yaml:2: not valid YAML: /],
    ['a file that is not a map', '- a\n- b\n', /^\/etc\/tezsigner\.yaml:1: /],
  ])('%s names the file, the line and the setting', (_what, text, expected) => {
    expect(fails(text)).toMatch(expected);
  });

  test('several mistakes are all reported, each on its line', () => {
    expect(fails('vault: local\nlisten:\n  port: -1\nlog-level: 3\n')).toMatch(/:3: listen\.port: .*; \/etc\/tezsigner\.yaml:4: log-level: /);
  });
});

test('readConfigFile names a file it cannot read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tezsigner-config-'));
  try {
    const err = await rejection(readConfigFile(join(dir, 'missing.yaml')));
    expect(isTezsignerError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe(`cannot read the configuration file ${join(dir, 'missing.yaml')}: it does not exist (check the path) [ENOENT]`);
    await writeFile(join(dir, 'ok.yaml'), 'log-level: debug\n');
    expect(await readConfigFile(join(dir, 'ok.yaml'))).toEqual({ 'log-level': 'debug' });
    // it names the policy: a file others may write is refused like the policy itself
    await chmod(join(dir, 'ok.yaml'), 0o666);
    expect((await rejection(readConfigFile(join(dir, 'ok.yaml'))) as Error).message).toContain('the configuration file');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
