import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { addServeOptions } from '../commands/serve.js';
import { parseConfigFile } from './config-file.js';
import { applyConfig, type EffectiveSetting } from './effective-config.js';
import { MASK, formatSettings } from './show-config.js';

const FILE = parseConfigFile(
  [
    'home: /from/file',
    'listen: { address: 10.0.0.1, port: 7000 }',
    'log-level: warn',
    'chain-ids: [NetXdQprcVkpaWU]',
    'magic-bytes: [0x11, 0x12]',
    'azure-table: { connection-string: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=FILEKEYFILEKEY==" }',
    'metrics: { port: 9600 }',
    'limits: { headers-timeout-ms: 4000 }',
  ].join('\n'),
  'test.yaml',
);

function merge(args: string[], env: Record<string, string> = {}) {
  const command = addServeOptions(new Command('serve')).exitOverride();
  command.parse(args, { from: 'user' });
  const settings = applyConfig(command, FILE, env);
  const setting = (key: string): EffectiveSetting => {
    const found = settings.find((item) => item.field.key === key);
    if (found === undefined) throw new Error(`no setting ${key}`);
    return found;
  };
  return { options: command.opts(), settings, setting };
}

describe('precedence: flags > environment > file > defaults', () => {
  test('the file beats the defaults, and reaches the options serve reads', () => {
    const { options, setting } = merge([]);
    expect(options).toMatchObject({ address: '10.0.0.1', port: '7000', logLevel: 'warn', chainId: ['NetXdQprcVkpaWU'], magicBytes: '0x11,0x12', metricsPort: '9600' });
    expect(setting('listen.port')).toMatchObject({ value: 7000, source: 'file' });
    expect(setting('limits.headers-timeout-ms')).toMatchObject({ value: 4000, source: 'file' });
    expect(setting('limits.request-timeout-ms')).toMatchObject({ value: 30_000, source: 'default' });
    expect(setting('vault')).toMatchObject({ value: 'local', source: 'default' });
    expect(setting('tls.cert')).toMatchObject({ source: 'unset' });
  });

  test('a flag beats the file', () => {
    const { options, setting } = merge(['--port', '7100', '--log-level', 'debug', '--chain-id', 'NetXnHfVqm9iesp']);
    expect(options).toMatchObject({ port: '7100', logLevel: 'debug', chainId: ['NetXnHfVqm9iesp'], address: '10.0.0.1' });
    expect(setting('listen.port')).toMatchObject({ value: '7100', source: 'flag' });
  });

  test('the environment beats the file, and the file value is not passed on', () => {
    const { options, setting } = merge([], { TEZSIGNER_HOME: '/from/env', AZURE_TABLE_CONNECTION_STRING: 'AccountKey=ENVKEYENVKEY==' });
    expect(options['home']).toBeUndefined();
    expect(options['azureTableConnectionString']).toBeUndefined();
    expect(setting('home')).toMatchObject({ value: '/from/env', source: 'env', envName: 'TEZSIGNER_HOME' });
  });

  test('a flag beats the environment', () => {
    const { options, setting } = merge(['--home', '/from/flag'], { TEZSIGNER_HOME: '/from/env' });
    expect(options['home']).toBe('/from/flag');
    expect(setting('home').source).toBe('flag');
  });

  test('a boolean flag set to its default still counts as given', () => {
    const file = parseConfigFile('check-high-watermark: false\nmetrics: { enabled: false }\n', 'f.yaml');
    const command = addServeOptions(new Command('serve')).exitOverride();
    command.parse([], { from: 'user' });
    applyConfig(command, file, {});
    expect(command.opts()).toMatchObject({ checkHighWatermark: false, metrics: false });
  });
});

describe('config show', () => {
  test('prints each setting with its source, and masks secrets from the file, a flag or the environment', () => {
    const fromFile = formatSettings(merge([]).settings, '/h');
    expect(fromFile).toMatch(/^listen\.port: +7000 +\(file\)$/m);
    expect(fromFile).toMatch(/^limits\.max-connections: +4096 +\(default\)$/m);
    expect(fromFile).toMatch(new RegExp(`^azure-table\\.connection-string: +\\${MASK.split('').join('\\')} +\\(file\\)$`, 'm'));
    expect(fromFile).not.toContain('FILEKEY');

    const fromFlag = formatSettings(merge(['--azure-table-connection-string', 'AccountKey=FLAGKEYFLAGKEY==']).settings, '/h');
    expect(fromFlag).toContain('(flag --azure-table-connection-string)');
    expect(fromFlag).not.toContain('FLAGKEY');

    const fromEnv = formatSettings(merge([], { AZURE_TABLE_CONNECTION_STRING: 'AccountKey=ENVKEYENVKEY==', TEZSIGNER_PASSPHRASE: 'correct horse battery' }).settings, '/h');
    expect(fromEnv).toContain('(env AZURE_TABLE_CONNECTION_STRING)');
    expect(fromEnv).toMatch(/^passphrase-file: +\*+ +\(env TEZSIGNER_PASSPHRASE\)$/m);
    expect(fromEnv).not.toContain('ENVKEY');
    expect(fromEnv).not.toContain('correct horse');
  });

  test('magic bytes are shown in hex, and what nothing sets is shown as what serve does then, as a default', () => {
    const shown = formatSettings(merge([]).settings, '/h');
    expect(shown).toMatch(/^magic-bytes: +0x11, 0x12 +\(file\)$/m);
    expect(formatSettings(merge(['--magic-bytes', '0x03,0x11']).settings, '/h')).toMatch(/^magic-bytes: +0x03, 0x11 +\(flag --magic-bytes\)$/m);
    expect(shown).toMatch(/^policy: +none \(magic-bytes decide\) +\(default\)$/m);
    expect(shown).toMatch(/^audit-log: +\/h\/audit\.jsonl +\(default\)$/m);
    expect(shown).toMatch(/^passphrase-file: +\/h\/passphrase, else asked on the terminal +\(default\)$/m);
    expect(shown).toMatch(/^check-high-watermark: +true +\(default\)$/m);
    expect(shown).toMatch(/^azure-table\.name: +tezsignerwatermarks +\(default\)$/m);
    expect(shown).not.toMatch(/not set|unset/);
    const command = addServeOptions(new Command('serve')).exitOverride();
    command.parse([], { from: 'user' });
    expect(formatSettings(applyConfig(command, {}, {}), '/h')).toMatch(/^magic-bytes: +0x11, 0x12, 0x13 +\(default\)$/m);
  });

  test('a passphrase file path is not secret and is shown', () => {
    expect(formatSettings(merge(['--passphrase-file', '/etc/tezsigner/pass']).settings, '/h')).toMatch(/^passphrase-file: +\/etc\/tezsigner\/pass +\(flag --passphrase-file\)$/m);
  });
});
