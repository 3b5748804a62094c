import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Labels of a signing request; `key` is a served address or `other`, so callers cannot grow the series. */
export type RequestLabels = 'kind' | 'key' | 'result';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How a refusal is counted: whom it protects against. */
const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  WATERMARK_REFUSED: 'watermark',
  POLICY_DENIED: 'policy',
  AUTH_REQUIRED: 'auth',
  AUTH_INVALID: 'auth',
};

/**
 * The signer's Prometheus metrics, in their own registry (so tests and embedders never share
 * Node's global one). Names follow Prometheus conventions: `_total` counters, `_seconds`.
 */
export class SignerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<RequestLabels>;
  readonly refusals: Counter<'reason'>;
  readonly requestSeconds: Histogram<'kind' | 'result'>;
  readonly backendSeconds: Histogram<'backend' | 'operation'>;
  readonly backendErrors: Counter<'backend' | 'operation'>;
  readonly backendRetries: Counter<'backend'>;
  readonly backendFaults: Counter<'backend' | 'fault'>;
  readonly storeSeconds: Histogram<'store' | 'operation'>;
  readonly storeErrors: Counter<'store' | 'operation'>;
  readonly highWatermarkLevel: Gauge<'key' | 'kind'>;
  readonly highWatermarkRound: Gauge<'key' | 'kind'>;
  #knownKeys = new Set<string>();
  readonly #faultSources: { readonly backend: string; readonly read: () => Readonly<Record<string, number>>; readonly seen: Map<string, number> }[] = [];
  readonly #marks = new Map<string, { level: number; round: number }>();

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'tezsigner_requests_total', help: 'signing requests by kind, key and result', labelNames: ['kind', 'key', 'result'], registers });
    this.refusals = new Counter({ name: 'tezsigner_refusals_total', help: 'signing requests refused, by reason (watermark, policy, auth)', labelNames: ['reason'], registers });
    this.requestSeconds = new Histogram({ name: 'tezsigner_request_duration_seconds', help: 'signing requests end to end, as the caller saw them', labelNames: ['kind', 'result'], buckets: LATENCY_BUCKETS, registers });
    this.backendSeconds = new Histogram({ name: 'tezsigner_backend_duration_seconds', help: 'key backend calls (sign, getKey, …)', labelNames: ['backend', 'operation'], buckets: LATENCY_BUCKETS, registers });
    this.backendErrors = new Counter({ name: 'tezsigner_backend_errors_total', help: 'key backend calls that failed', labelNames: ['backend', 'operation'], registers });
    this.backendRetries = new Counter({ name: 'tezsigner_backend_retries_total', help: 'key backend attempts retried within a deadline', labelNames: ['backend'], registers });
    const faultSources = this.#faultSources;
    this.backendFaults = new Counter({
      name: 'tezsigner_backend_faults_total',
      help: 'faults a key backend recovered from, by kind (pkcs11: hung_call, session_dropped, module_reset, module_restart)',
      labelNames: ['backend', 'fault'],
      registers,
      // read from the backend's own counters at each scrape
      collect() {
        for (const source of faultSources) {
          for (const [fault, value] of Object.entries(source.read())) {
            const increase = value - (source.seen.get(fault) ?? 0);
            if (increase < 0) continue;
            source.seen.set(fault, value);
            this.inc({ backend: source.backend, fault }, increase);
          }
        }
      },
    });
    this.storeSeconds = new Histogram({ name: 'tezsigner_watermark_store_duration_seconds', help: 'watermark store calls', labelNames: ['store', 'operation'], buckets: LATENCY_BUCKETS, registers });
    this.storeErrors = new Counter({ name: 'tezsigner_watermark_store_errors_total', help: 'watermark store calls that failed (refusals included)', labelNames: ['store', 'operation'], registers });
    this.highWatermarkLevel = new Gauge({ name: 'tezsigner_high_watermark_level', help: 'level of the highest mark signed, per key and kind', labelNames: ['key', 'kind'], registers });
    this.highWatermarkRound = new Gauge({ name: 'tezsigner_high_watermark_round', help: 'round of the highest mark signed, per key and kind', labelNames: ['key', 'kind'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'tezsigner_' });
  }

  /** Exports the faults `provider` counts (its `faultCounts()`, when it has one) as tezsigner_backend_faults_total. */
  watchBackendFaults(provider: { readonly name: string }): void {
    const faultCounts = (provider as { faultCounts?: () => Readonly<Record<string, number>> }).faultCounts;
    if (typeof faultCounts !== 'function') return;
    this.#faultSources.push({ backend: provider.name, read: () => faultCounts.call(provider), seen: new Map() });
  }

  /** The addresses that may appear as a `key` label. */
  setKnownKeys(pkhs: Iterable<string>): void {
    this.#knownKeys = new Set(pkhs);
  }

  keyLabel(pkh: string | undefined): string {
    return pkh !== undefined && this.#knownKeys.has(pkh) ? pkh : 'other';
  }

  /** One signing request answered (or abandoned by its client). */
  observeRequest(facts: { pkh?: string; kind?: string; outcome?: string; error?: string }, seconds: number): void {
    const kind = facts.kind ?? 'unknown';
    const result = facts.error === undefined ? (facts.outcome ?? 'unknown') : facts.error.toLowerCase();
    this.requests.inc({ kind, key: this.keyLabel(facts.pkh), result });
    this.requestSeconds.observe({ kind, result }, seconds);
    const reason = facts.error === undefined ? undefined : REFUSAL_REASONS[facts.error];
    if (reason !== undefined) this.refusals.inc({ reason });
  }

  /** A mark that is now the highest signed for its key and kind (never lowers the gauge). */
  observeHighWatermark(pkh: string, kind: string, level: number, round: number): void {
    const labels = { key: this.keyLabel(pkh), kind };
    const current = this.#marks.get(`${labels.key}/${kind}`);
    if (current !== undefined && (current.level > level || (current.level === level && current.round >= round))) return;
    this.#marks.set(`${labels.key}/${kind}`, { level, round });
    this.highWatermarkLevel.set(labels, level);
    this.highWatermarkRound.set(labels, round);
  }
}
