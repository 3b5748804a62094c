// The alert rules in deploy/prometheus/, checked by Debian's promtool as Prometheus would load
// them, and their unit tests run: every alert fires on series that should fire it (with the
// annotations an operator reads) and stays silent on series that should not.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { promtool } from '../../../../test-support/prometheus.js';

const DIRECTORY = join(import.meta.dirname, '../../../../deploy/prometheus');
const RULES = 'tezsigner.rules.yml';
const TESTS = 'tezsigner.rules.test.yml';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: { exp_annotations?: Record<string, string> }[] }[] }[];
}

let rules: RuleFile;
let tests: RuleTests;
let scratch: string;
beforeAll(async () => {
  rules = parse(await readFile(join(DIRECTORY, RULES), 'utf8')) as RuleFile;
  tests = parse(await readFile(join(DIRECTORY, TESTS), 'utf8')) as RuleTests;
  scratch = await mkdtemp(join(tmpdir(), 'tezsigner-rules-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const alerts = () => rules.groups.flatMap((group) => group.rules).filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);

test('promtool check rules: the file loads as Prometheus would load it, every rule counted', async () => {
  const checked = await promtool(['check', 'rules', RULES], DIRECTORY);
  expect(checked.output).toContain(`SUCCESS: ${rules.groups.flatMap((group) => group.rules).length} rules found`);
  expect(checked.code).toBe(0);
});

test('promtool test rules: every case passes', async () => {
  expect(tests.rule_files).toEqual([RULES]);
  const run = await promtool(['test', 'rules', TESTS], DIRECTORY);
  expect(run.output).toMatch(/SUCCESS/);
  expect(run.code).toBe(0);
});

describe('what the rules and their tests cover', () => {
  test('the alerts the operator needs are there, each with a severity, a summary and a description', () => {
    const names = alerts().map((rule) => rule.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        'TezsignerDown',
        'TezsignerNotReady',
        'TezsignerWatermarkRefusal',
        'TezsignerStoreErrors',
        'TezsignerBackendErrors',
        'TezsignerBackendDeadlinesPassed',
        'TezsignerStoreDeadlinesPassed',
        'TezsignerHsmModuleRestarted',
        'TezsignerHsmCallsHanging',
        'TezsignerSlowSigning',
        'TezsignerHeldRequestsFull',
        'TezsignerSpendingCapNearlyFull',
        'TezsignerTlsCertificateExpiresSoon',
        'TezsignerKeysDropped',
        'TezsignerRestarted',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const rule of alerts()) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary'], rule.alert).toMatch(/\S/);
      // what it means and what to check first
      expect(rule.annotations?.['description'], rule.alert).toMatch(/Check first/);
    }
    // someone asking for a second signature pages at once: no waiting period
    const refusal = alerts().find((rule) => rule.alert === 'TezsignerWatermarkRefusal') as Rule & { for?: string };
    expect(refusal.labels?.['severity']).toBe('critical');
    expect(refusal.for).toBeUndefined();
  });

  test.each(['fires', 'stays silent'] as const)('every alert has a case where it %s (and a firing case checks its annotations)', (what) => {
    const cases = tests.tests.flatMap((group) => group.alert_rule_test ?? []);
    for (const { alert } of alerts()) {
      const own = cases.filter((item) => item.alertname === alert);
      if (what === 'stays silent') {
        expect(own.some((item) => item.exp_alerts.length === 0), `${alert}: no case where it stays silent`).toBe(true);
      } else {
        const firing = own.filter((item) => item.exp_alerts.length > 0);
        expect(firing.length, `${alert}: no case where it fires`).toBeGreaterThan(0);
        for (const item of firing) for (const expected of item.exp_alerts) expect(Object.keys(expected.exp_annotations ?? {}).sort(), alert).toEqual(['description', 'summary']);
      }
    }
  });

  // the tests can fail: with every expression replaced by one that never fires, promtool fails
  // each alert's firing case, by name
  test('with every alert made silent, promtool test rules fails, naming each alert', async () => {
    const silenced: RuleFile = { groups: rules.groups.map((group) => ({ ...group, rules: group.rules.map((rule) => ({ ...rule, expr: 'vector(1) == 0' })) })) };
    await writeFile(join(scratch, RULES), stringify(silenced));
    await cp(join(DIRECTORY, TESTS), join(scratch, TESTS));
    const run = await promtool(['test', 'rules', TESTS], scratch);
    expect(run.code).not.toBe(0);
    for (const { alert } of alerts()) expect(run.output, alert).toContain(`alertname: ${alert},`);
  });
});
