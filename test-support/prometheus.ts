// Debian's Prometheus, for the alert rules and the dashboard: `promtool`, and a server of a test's
// own on a free loopback port with a config and storage in a temporary folder. The test stops it;
// should the test die first, coreutils' `timeout` stops it after a bound.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../packages/azure-adapter/test/support/azurite.js';
import { waitUntil } from './wait-until.js';

const INSTALL_HINT = "Debian's prometheus package (apt-get install prometheus; .ci/run installs it)";

/** How long a Prometheus started here may live, whatever happens to the test that started it. */
const LIFETIME_SECONDS = 600;

/** The path of `prometheus` or `promtool`; fails naming the package when it is missing. */
export function prometheusTool(name: 'prometheus' | 'promtool'): string {
  const found = (process.env['PATH'] ?? '')
    .split(':')
    .concat('/usr/bin')
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
  if (found === undefined) throw new Error(`${name} is not installed: ${INSTALL_HINT}`);
  return found;
}

/** Runs promtool; resolves with its exit code and its output (stdout then stderr). */
export function promtool(args: readonly string[], cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(prometheusTool('promtool'), args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** One sample of an instant query: its labels and its value. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RunningPrometheus {
  readonly url: string;
  /** an instant query at now; fails on anything but success, naming the query */
  query(expr: string): Promise<Sample[]>;
  /** the label sets of the series matching `selector` */
  series(selector: string): Promise<Record<string, string>[]>;
  /** a GET of the HTTP API (`/api/v1/…`), its `data` */
  api(path: string): Promise<unknown>;
  /** what it printed, for a failure's message */
  output(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` targets of the one scrape job, named `job` */
  readonly targets: readonly string[];
  readonly job: string;
  /** absolute paths of rule files to load */
  readonly ruleFiles?: readonly string[];
  /** seconds between scrapes (and rule evaluations); default 1 */
  readonly intervalSeconds?: number;
}

function configOf(options: PrometheusOptions): string {
  const interval = `${options.intervalSeconds ?? 1}s`;
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(options.ruleFiles === undefined ? [] : ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)]),
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.job)}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
    '',
  ].join('\n');
}

/** A Prometheus on 127.0.0.1 scraping `targets`, once it answers /-/ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = prometheusTool('prometheus');
  const folder = await mkdtemp(join(tmpdir(), 'tezsigner-prometheus-'));
  const config = join(folder, 'prometheus.yml');
  await writeFile(config, configOf(options));
  // a port taken between its choice and Prometheus binding it: another port, a few times
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [
      `--kill-after=10`,
      String(LIFETIME_SECONDS),
      binary,
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ];
    const child = spawn('timeout', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const running = () => child.exitCode === null && child.signalCode === null;
    const stop = async (): Promise<void> => {
      if (running()) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    };
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(
        `Prometheus to answer ${url}/-/ready`,
        async () => {
          if (!running()) throw new Error(`prometheus exited: ${output}`);
          return (await fetch(`${url}/-/ready`)).ok;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } catch (err) {
      await stop();
      if (attempt < 3 && /address already in use/.test(output)) continue;
      await rm(folder, { recursive: true, force: true });
      throw err;
    }
    const api = async (path: string): Promise<unknown> => {
      const answer = (await (await fetch(`${url}${path}`)).json()) as { status: string; data?: unknown; error?: string };
      if (answer.status !== 'success') throw new Error(`Prometheus ${path}: ${answer.error ?? answer.status}`);
      return answer.data;
    };
    return {
      url,
      api,
      async query(expr) {
        const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { resultType: string; result: unknown };
        if (data.resultType === 'scalar') return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
        if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not an instant vector`);
        return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
      },
      async series(selector) {
        return (await api(`/api/v1/series?match[]=${encodeURIComponent(selector)}`)) as Record<string, string>[];
      },
      output: () => output,
      async stop() {
        await stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  }
}
