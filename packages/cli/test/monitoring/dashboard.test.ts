// The Grafana dashboard and the alert rules in deploy/, against the real thing: a `tezsigner
// serve` (HTTPS, a policy with 24 h caps and a kind held for confirmation) that has signed,
// refused at a mark and held something, and beside it a `serve --vault pkcs11` on SoftHSM2 (the
// series only a backend that counts its faults has), scraped by Debian's Prometheus with the
// rules loaded. Every query of the dashboard, its variables and Grafana's intervals put in as
// Grafana would, returns data; every tezsigner_ metric the dashboard or the rules name is one
// serve exports.
import { X509Certificate } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forgeDelegation, forgeTransfer } from '../../../../test-support/operations.js';
import { registerSecret } from '../../../../test-support/log-capture.js';
import { startPrometheus, type RunningPrometheus } from '../../../../test-support/prometheus.js';
import { createSoftHsm, type SoftHsm } from '../../../../test-support/softhsm.js';
import { waitUntil } from '../../../../test-support/wait-until.js';
import { attestation, tenderbakeBlock } from '../../../http-server/test/support/consensus-bytes.js';
import { keyVector } from '../../../http-server/test/support/test-signer.js';
import { createLoopbackCertificate } from '../../../http-server/test/support/tls-certificates.js';
import { generateTokenKey } from '../../../pkcs11-adapter/src/index.js';
import { homeWithKeys, tempHome } from '../support/run-cli.js';
import { spawnServe, type ServeChild } from '../support/serve-child.js';
import { VERSION } from '../../src/version.js';

const DEPLOY = join(import.meta.dirname, '../../../../deploy');
const RULES = join(DEPLOY, 'prometheus/tezsigner.rules.yml');
const ED = keyVector('ed25519-1');
const PAYEE = 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6';
/** What Grafana puts for its own variables: a rate window of 4 scrapes at least, the range shown. */
const GRAFANA_INTERVALS: Readonly<Record<string, string>> = { __rate_interval: '1m', __range: '1h', __interval: '15s' };

let home: Awaited<ReturnType<typeof homeWithKeys>> & { path: string };
let serving: ServeChild;
let hsm: SoftHsm;
let hsmHome: Awaited<ReturnType<typeof tempHome>>;
let hsmServing: ServeChild;
let prometheus: RunningPrometheus;
let ca: string;
let held: Promise<number> | undefined;

/** POST /keys/<pkh> over HTTPS, trusting the test's certificate; the status. */
function post(hex: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${serving.url}/keys/${ED.public_key_hash}`, { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(hex));
  });
}

const transfer = (counter: number) => forgeTransfer({ source: ED.public_key_hash, destination: PAYEE, amount: 4_000_000n, counter });
/** `host:port` of a signer's metrics listener, its `instance` label in Prometheus. */
const instanceOf = (signer: ServeChild) => new URL(signer.metricsUrl ?? '').host;
const total = async (expr: string) => (await prometheus.query(expr)).reduce((sum, sample) => sum + sample.value, 0);
/** Resolves once Prometheus has scraped a value of `expr` (summed) at least `atLeast`. */
const scraped = (expr: string, atLeast: number) => waitUntil(`Prometheus to see ${expr} >= ${atLeast}`, async () => (await total(expr)) >= atLeast, { timeoutMs: 60_000, intervalMs: 200 });

beforeAll(async () => {
  const { path } = await tempHome();
  home = { ...(await homeWithKeys([{ secret: ED.secret_key, name: 'baker' }], 'dashboard test passphrase', path)), path };
  const certificate = await createLoopbackCertificate();
  ca = certificate.cert;
  await writeFile(join(path, 'cert.pem'), certificate.cert);
  await writeFile(join(path, 'key.pem'), certificate.key, { mode: 0o600 });
  await chmod(join(path, 'cert.pem'), 0o644);
  await writeFile(
    join(path, 'policy.yaml'),
    [
      'default: { block: allow, preattestation: allow, attestation: allow }',
      'keys:',
      `  ${ED.public_key_hash}:`,
      '    operations: { transaction: allow, delegation: confirm }',
      '    limits: { max_amount: 10, max_fee: 1, max_amount_24h: 10, max_fee_24h: 1 }',
      '',
    ].join('\n'),
  );
  serving = await spawnServe(
    [
      ...['--address', '127.0.0.1', '--port', '0', '--metrics-port', '0'],
      ...['--tls-cert', join(path, 'cert.pem'), '--tls-key', join(path, 'key.pem')],
      ...['--policy', join(path, 'policy.yaml'), '--max-held', '4', '--confirm-timeout', '600'],
    ],
    home.env,
  );
  // the other signer: one key on a PKCS#11 token, nothing asked of it
  hsm = await createSoftHsm('dashboard');
  registerSecret(hsm.pin);
  const quiet = { info: () => undefined, warn: () => undefined };
  await generateTokenKey({ modulePath: hsm.modulePath, token: { label: hsm.label }, pin: hsm.pin, env: { ...process.env, SOFTHSM2_CONF: hsm.conf }, curve: 'p256', label: 'baker', logger: quiet });
  hsmHome = await tempHome();
  hsmServing = await spawnServe(
    [
      ...['--vault', 'pkcs11', '--pkcs11-module', hsm.modulePath, '--pkcs11-token-label', hsm.label],
      ...['--home', hsmHome.path, '--address', '127.0.0.1', '--port', '0', '--metrics-port', '0'],
    ],
    { SOFTHSM2_CONF: hsm.conf, TEZSIGNER_PKCS11_PIN: hsm.pin },
  );
  prometheus = await startPrometheus({ job: 'tezsigner', targets: [instanceOf(serving), instanceOf(hsmServing)], ruleFiles: [RULES] });
  // a first scrape of both before any request, so each counter below has a sample to grow from
  await scraped('tezsigner_ready', 2);

  // signed, refused at a mark, spent; seen by a scrape; then all of it again, and one held
  expect(await post(tenderbakeBlock(10, 0))).toBe(200);
  expect(await post(attestation('attestation', 10, 0))).toBe(200);
  expect(await post(tenderbakeBlock(9, 0))).toBe(409);
  expect(await post(await transfer(1))).toBe(200);
  await scraped('tezsigner_requests_total{result="signed"}', 3);
  expect(await post(tenderbakeBlock(11, 0))).toBe(200);
  expect(await post(attestation('attestation', 11, 0))).toBe(200);
  expect(await post(tenderbakeBlock(11, 0, 0x01))).toBe(409);
  expect(await post(await transfer(2))).toBe(200);
  held = post(await forgeDelegation(ED.public_key_hash, PAYEE));
  await scraped('tezsigner_requests_total{result="signed"}', 6);
  await scraped('tezsigner_held_requests', 1);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await hsmServing?.stop();
  await hsmHome?.remove();
  await hsm?.remove();
  await serving?.stop();
  // the held delegation is refused as the signer stops
  if (held !== undefined) expect(await held).toBe(403);
  await home?.remove();
});

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; definition?: string; multi?: boolean; includeAll?: boolean }[] };
}

const dashboard = JSON.parse(await readFile(join(DEPLOY, 'grafana/tezsigner.json'), 'utf8')) as Dashboard;
const queries = (panels: readonly Panel[]): { panel: string; expr: string }[] =>
  panels.flatMap((panel) => [...(panel.targets ?? []).flatMap((target) => (target.expr === undefined ? [] : [{ panel: panel.title ?? '', expr: target.expr }])), ...queries(panel.panels ?? [])]);

/** A value in a PromQL string as Grafana writes a regex variable: regex characters escaped, the backslash doubled. */
const regexLiteral = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');

/** `expr` with each `$name`/`${name}` of `values` put in. */
function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => values[braced ?? bare ?? ''] ?? whole);
}

/**
 * The dashboard's variables as Grafana resolves them, in order: each `label_values(selector,
 * label)` asked of Prometheus with the variables before it put in, every value selected (All).
 */
async function variables(): Promise<Record<string, string>> {
  const values: Record<string, string> = { ...GRAFANA_INTERVALS };
  for (const variable of dashboard.templating.list) {
    if (variable.type === 'datasource') continue;
    const match = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.definition ?? '');
    if (match?.[1] === undefined || match[2] === undefined) throw new Error(`variable ${variable.name}: not a label_values query: ${variable.definition}`);
    const label = match[2];
    const found = [...new Set((await prometheus.series(substitute(match[1], values))).map((labels) => labels[label]).filter((value): value is string => value !== undefined))].sort();
    expect(found.length, `variable ${variable.name} has no value`).toBeGreaterThan(0);
    values[variable.name] = found.length === 1 ? regexLiteral(found[0] ?? '') : `(${found.map(regexLiteral).join('|')})`;
  }
  return values;
}

test('the dashboard is Grafana JSON importable as is: its data source is a variable, its queries are PromQL of tezsigner_ metrics', () => {
  expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
  // what Grafana runs for a variable (query) is what the tests below resolve (definition)
  for (const variable of dashboard.templating.list.slice(1)) expect(variable.query, variable.name).toBe(variable.definition);
  expect(JSON.stringify(dashboard)).not.toMatch(/"uid":\s*"(?!\$\{datasource\}|tezsigner|-- Grafana --)/);
  expect(queries(dashboard.panels).length).toBeGreaterThan(20);
  for (const { panel, expr } of queries(dashboard.panels)) expect(expr, panel).toMatch(/tezsigner_/);
});

test('each variable resolves to what serve exports: the job, both instances, the key asked for', async () => {
  const values = await variables();
  expect(values['job']).toBe('tezsigner');
  expect(values['instance']).toBe(`(${[instanceOf(serving), instanceOf(hsmServing)].sort().map(regexLiteral).join('|')})`);
  expect(values['key']).toBe(regexLiteral(ED.public_key_hash));
});

test('every query of the dashboard returns data: at least one series with a number', async () => {
  const values = await variables();
  const empty: string[] = [];
  for (const { panel, expr } of queries(dashboard.panels)) {
    const query = substitute(expr, values);
    expect(query, `${panel}: a variable nothing sets`).not.toMatch(/\$/);
    const samples = await prometheus.query(query);
    if (!samples.some((sample) => Number.isFinite(sample.value))) empty.push(`${panel}: ${query} → ${JSON.stringify(samples)}`);
  }
  expect(empty).toEqual([]);
});

test('what the spending panels show is what was spent: two 4 ꜩ transfers and their storage burn, against 10 ꜩ', async () => {
  const values = await variables();
  const spending = queries(dashboard.panels).find(({ panel }) => panel === 'Spending against each 24 h cap');
  if (spending === undefined) throw new Error('no spending panel');
  const shares = Object.fromEntries((await prometheus.query(substitute(spending.expr, values))).map((sample) => [sample.metric['cap'], sample.value]));
  // 2 × (4 ꜩ + 257 bytes of storage × 250 mutez) of 10 ꜩ; 2 × 1400 mutez of fees of 1 ꜩ
  expect(shares['max_amount_24h']).toBeCloseTo((2 * (4_000_000 + 257 * 250)) / 10_000_000, 9);
  expect(shares['max_fee_24h']).toBeCloseTo((2 * 1_400) / 1_000_000, 9);
});

test("the gauges the alerts read hold this signer's values: one key, ready, one held of 4, the certificate's expiry, the version", async () => {
  const local = instanceOf(serving);
  const samples = async (expr: string) => (await prometheus.query(expr)).filter((sample) => sample.metric['instance'] === local);
  const value = async (expr: string) => (await samples(expr)).map((sample) => sample.value);
  expect(await value('tezsigner_keys_served')).toEqual([1]);
  expect(await value('tezsigner_ready')).toEqual([1]);
  expect((await samples('tezsigner_readiness_probe_success')).map((sample) => `${sample.metric['probe']?.replace(/ \/.*$/, '')} ${sample.value}`).sort()).toEqual([
    'audit log file 1',
    'key backend local 1',
    'watermark store file 1',
  ]);
  expect(await value('tezsigner_held_requests')).toEqual([1]);
  expect(await value('tezsigner_held_requests_limit')).toEqual([4]);
  expect(await value('tezsigner_tls_certificate_expiry_timestamp_seconds{certificate="server"}')).toEqual([Math.floor(Date.parse(new X509Certificate(ca).validTo) / 1000)]);
  expect(await value(`tezsigner_build_info{version="${VERSION}"}`)).toEqual([1]);
});

test('the PKCS#11 signer exports its fault counters from the start, at 0, and is ready; the local vault counts none', async () => {
  const faults = (await prometheus.query('tezsigner_backend_faults_total')).map((sample) => `${sample.metric['instance'] === instanceOf(hsmServing) ? 'pkcs11 signer' : 'other'} ${sample.metric['backend']} ${sample.metric['fault']} ${sample.value}`);
  expect(faults.sort()).toEqual(['pkcs11 signer pkcs11 hung_call 0', 'pkcs11 signer pkcs11 module_reset 0', 'pkcs11 signer pkcs11 module_restart 0', 'pkcs11 signer pkcs11 session_dropped 0']);
  expect((await prometheus.query(`tezsigner_ready{instance="${instanceOf(hsmServing)}"}`)).map((sample) => sample.value)).toEqual([1]);
});

test('every tezsigner_ metric the dashboard and the rules name is one serve exports', async () => {
  const exported = await (await fetch(`${serving.metricsUrl ?? ''}/metrics`)).text();
  const families = new Map([...exported.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
  const exports = (name: string) => {
    if (families.has(name)) return true;
    const base = /^(.+)_(bucket|sum|count)$/.exec(name)?.[1];
    return base !== undefined && ['histogram', 'summary'].includes(families.get(base) ?? '');
  };
  const named = (text: string) => new Set(text.match(/\btezsigner_[a-z0-9_]+/g) ?? []);
  for (const [source, text] of [
    ['the dashboard', JSON.stringify(dashboard)],
    ['the rules', await readFile(RULES, 'utf8')],
  ] as const) {
    const names = [...named(text)];
    expect(names.length, source).toBeGreaterThan(10);
    expect(names.filter((name) => !exports(name)), `${source} names metrics serve does not export`).toEqual([]);
  }
});

describe('the alert rules on a real Prometheus scraping a real serve', () => {
  test('every rule evaluates without error; the refusal at a mark, the 24 h cap over 80% and the day-old certificate fire', async () => {
    interface RuleState {
      name: string;
      health: string;
      lastError?: string;
      state?: string;
    }
    const firing = new Set(['TezsignerWatermarkRefusal', 'TezsignerSpendingCapNearlyFull', 'TezsignerTlsCertificateExpiresSoon']);
    const rules = await waitUntil(
      `the rules to be evaluated, and ${[...firing].join(', ')} to fire`,
      async () => {
        const data = (await prometheus.api('/api/v1/rules')) as { groups: { rules: RuleState[] }[] };
        const all = data.groups.flatMap((group) => group.rules);
        const fired = all.filter((rule) => rule.state === 'firing').map((rule) => rule.name);
        return all.length > 0 && all.every((rule) => rule.health !== 'unknown') && [...firing].every((name) => fired.includes(name)) && all;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError ?? rule.health}`)).toEqual([]);
    const names = (await readFile(RULES, 'utf8')).match(/^\s+- alert: (\S+)$/gm)?.length;
    expect(rules).toHaveLength(names ?? 0);
    // the signers themselves are fine: up, ready, keys as at start, no errors, an HSM that answers
    const quiet = [
      ...['TezsignerDown', 'TezsignerNotReady', 'TezsignerKeysDropped', 'TezsignerStoreErrors', 'TezsignerBackendErrors', 'TezsignerSigningFailing', 'TezsignerHeldRequestsFull'],
      ...['TezsignerBackendDeadlinesPassed', 'TezsignerHsmModuleRestarted', 'TezsignerHsmCallsHanging'],
    ];
    expect(rules.filter((rule) => quiet.includes(rule.name) && rule.state !== 'inactive').map((rule) => rule.name)).toEqual([]);
  });
});
