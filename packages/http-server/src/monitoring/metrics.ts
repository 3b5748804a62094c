import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LightHistogram } from './light-histogram.js';
import { watchedGauge, type GaugeSample } from './watched-gauge.js';

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

/** Requests waiting for a person, and how many may wait at once (`--max-held`). */
export interface HeldRequestsView {
  readonly held: number;
  readonly max: number;
}

/** A key's spending over the last 24 hours against one of its caps (`max_amount_24h`, `max_fee_24h`), in mutez. */
export interface SpendingView {
  readonly key: string;
  readonly cap: string;
  readonly spent: number;
  readonly limit: number;
}

/** The TLS certificates whose expiry is exported: the one served, the CAs clients must chain to. */
export type CertificateRole = 'server' | 'client_ca';

export interface SignerMetricsOptions {
  /** Node's process metrics too (default true) */
  readonly processMetrics?: boolean;
  /** tezsigner's version, exported as `tezsigner_build_info{version}` */
  readonly version?: string;
}

/**
 * The signer's Prometheus metrics, in their own registry (so tests and embedders never share
 * Node's global one). Names follow Prometheus conventions: `_total` counters, `_seconds`.
 * Counters an alert watches for a first increase start at 0 for the label values known up
 * front: a series born at 1 shows no increase, and its first event would go unseen.
 */
export class SignerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<RequestLabels>;
  readonly refusals: Counter<'reason'>;
  readonly requestSeconds: LightHistogram<'kind' | 'result'>;
  readonly backendSeconds: LightHistogram<'backend' | 'operation'>;
  readonly backendErrors: Counter<'backend' | 'operation'>;
  readonly backendDeadlines: Counter<'backend' | 'operation'>;
  readonly backendRetries: Counter<'backend'>;
  readonly backendFaults: Counter<'backend' | 'fault'>;
  readonly storeSeconds: LightHistogram<'store' | 'operation'>;
  readonly storeErrors: Counter<'store' | 'operation'>;
  readonly storeDeadlines: Counter<'store' | 'operation'>;
  readonly highWatermarkLevel: Gauge<'key' | 'kind'>;
  readonly highWatermarkRound: Gauge<'key' | 'kind'>;
  readonly keysServed: Gauge;
  readonly ready: Gauge;
  readonly readinessProbes: Gauge<'probe'>;
  readonly certificateExpiry: Gauge<'certificate'>;
  #knownKeys = new Set<string>();
  readonly #faultSources: { readonly backend: string; readonly read: () => Readonly<Record<string, number>>; readonly seen: Map<string, number> }[] = [];
  readonly #marks = new Map<string, { key: string; kind: string; level: number; round: number }>();
  #heldWatched = false;
  #spendingWatched = false;

  constructor(options: SignerMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'tezsigner_requests_total', help: 'signing requests by kind, key and result', labelNames: ['kind', 'key', 'result'], registers });
    this.refusals = new Counter({ name: 'tezsigner_refusals_total', help: 'signing requests refused, by reason (watermark, policy, auth)', labelNames: ['reason'], registers });
    for (const reason of new Set(Object.values(REFUSAL_REASONS))) this.refusals.inc({ reason }, 0);
    this.requestSeconds = new LightHistogram({ name: 'tezsigner_request_duration_seconds', help: 'signing requests end to end, as the caller saw them', labelNames: ['kind', 'result'], buckets: LATENCY_BUCKETS, registers });
    this.backendSeconds = new LightHistogram({ name: 'tezsigner_backend_duration_seconds', help: 'key backend calls (sign, getKey, …)', labelNames: ['backend', 'operation'], buckets: LATENCY_BUCKETS, registers });
    this.backendErrors = new Counter({ name: 'tezsigner_backend_errors_total', help: 'key backend calls that failed', labelNames: ['backend', 'operation'], registers });
    this.backendDeadlines = new Counter({ name: 'tezsigner_backend_deadline_exceeded_total', help: 'key backend calls that failed at their deadline (among the errors)', labelNames: ['backend', 'operation'], registers });
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
    this.storeSeconds = new LightHistogram({ name: 'tezsigner_watermark_store_duration_seconds', help: 'watermark store calls', labelNames: ['store', 'operation'], buckets: LATENCY_BUCKETS, registers });
    this.storeErrors = new Counter({ name: 'tezsigner_watermark_store_errors_total', help: 'watermark store calls that failed', labelNames: ['store', 'operation'], registers });
    this.storeDeadlines = new Counter({ name: 'tezsigner_watermark_store_deadline_exceeded_total', help: 'watermark store calls that failed at their deadline (among the errors)', labelNames: ['store', 'operation'], registers });
    // read from the marks at each scrape: a signature then costs a map entry, not two gauges' label hashing
    const marks = (part: 'level' | 'round') => () => [...this.#marks.values()].map((mark) => ({ labels: { key: mark.key, kind: mark.kind }, value: mark[part] }));
    this.highWatermarkLevel = watchedGauge(this.registry, { name: 'tezsigner_high_watermark_level', help: 'level of the highest mark signed, per key and kind', labelNames: ['key', 'kind'] }, marks('level'));
    this.highWatermarkRound = watchedGauge(this.registry, { name: 'tezsigner_high_watermark_round', help: 'round of the highest mark signed, per key and kind', labelNames: ['key', 'kind'] }, marks('round'));
    this.keysServed = new Gauge({ name: 'tezsigner_keys_served', help: 'keys this signer serves (listed at start)', registers });
    this.ready = new Gauge({ name: 'tezsigner_ready', help: '1 when every readiness probe passed at this scrape (as /readyz answers), else 0', registers });
    this.readinessProbes = new Gauge({ name: 'tezsigner_readiness_probe_success', help: '1 when the probe passed at this scrape, else 0', labelNames: ['probe'], registers });
    this.certificateExpiry = new Gauge({ name: 'tezsigner_tls_certificate_expiry_timestamp_seconds', help: 'when the TLS certificate in use expires (the earliest in its file), seconds since the epoch', labelNames: ['certificate'], registers });
    if (options.version !== undefined) {
      new Gauge({ name: 'tezsigner_build_info', help: 'always 1; the version is a label', labelNames: ['version'], registers }).set({ version: options.version }, 1);
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'tezsigner_' });
  }

  /** Exports the faults `provider` counts (its `faultCounts()`, when it has one) as tezsigner_backend_faults_total. */
  watchBackendFaults(provider: { readonly name: string }): void {
    const faultCounts = (provider as { faultCounts?: () => Readonly<Record<string, number>> }).faultCounts;
    if (typeof faultCounts !== 'function') return;
    this.#faultSources.push({ backend: provider.name, read: () => faultCounts.call(provider), seen: new Map() });
  }

  /** The addresses served, which may appear as a `key` label. */
  setKnownKeys(pkhs: Iterable<string>): void {
    this.#knownKeys = new Set(pkhs);
    this.keysServed.set(this.#knownKeys.size);
  }

  keyLabel(pkh: string | undefined): string {
    return pkh !== undefined && this.#knownKeys.has(pkh) ? pkh : 'other';
  }

  /** One signing request answered (or abandoned by its client). */
  observeRequest(facts: { pkh?: string | undefined; kind?: string | undefined; outcome?: string | undefined; error?: string | undefined }, seconds: number): void {
    const kind = facts.kind ?? 'unknown';
    const result = facts.error === undefined ? (facts.outcome ?? 'unknown') : facts.error.toLowerCase();
    this.requests.inc({ kind, key: this.keyLabel(facts.pkh), result });
    this.requestSeconds.observe({ kind, result }, seconds);
    const reason = facts.error === undefined ? undefined : REFUSAL_REASONS[facts.error];
    if (reason !== undefined) this.refusals.inc({ reason });
  }

  /** A mark that is now the highest signed for its key and kind (never lowers the gauge). */
  observeHighWatermark(pkh: string, kind: string, level: number, round: number): void {
    const key = this.keyLabel(pkh);
    const current = this.#marks.get(`${key}/${kind}`);
    if (current !== undefined && (current.level > level || (current.level === level && current.round >= round))) return;
    this.#marks.set(`${key}/${kind}`, { key, kind, level, round });
  }

  /** The outcome of each readiness probe, as /readyz would answer now. */
  observeReadiness(probes: readonly { readonly name: string; readonly ok: boolean }[]): void {
    this.readinessProbes.reset();
    for (const probe of probes) this.readinessProbes.set({ probe: probe.name }, probe.ok ? 1 : 0);
    this.ready.set(probes.every((probe) => probe.ok) ? 1 : 0);
  }

  /** When the certificate now in use expires (ms since the epoch); undefined drops the series. */
  observeCertificate(certificate: CertificateRole, notAfterMs: number | undefined): void {
    if (notAfterMs === undefined) this.certificateExpiry.remove({ certificate });
    else this.certificateExpiry.set({ certificate }, Math.floor(notAfterMs / 1000));
  }

  /** `tezsigner_held_requests` and `_limit`, read at each scrape (only a signer that can hold requests has them). */
  watchHeldRequests(read: () => HeldRequestsView): void {
    if (this.#heldWatched) throw new Error('held requests are watched already');
    this.#heldWatched = true;
    const one = (value: number): GaugeSample<never>[] => [{ labels: {}, value }];
    watchedGauge(this.registry, { name: 'tezsigner_held_requests', help: 'requests waiting for a person to confirm them', labelNames: [] }, () => one(read().held));
    watchedGauge(this.registry, { name: 'tezsigner_held_requests_limit', help: 'requests that may wait at once (--max-held); past it they are refused', labelNames: [] }, () => one(read().max));
  }

  /**
   * `tezsigner_spending_24h_mutez` and `tezsigner_spending_cap_mutez` per key and cap, read at
   * each scrape; `read` gives undefined when it cannot read the spending now (the last values stay).
   */
  watchSpending(read: () => Promise<readonly SpendingView[] | undefined>): void {
    if (this.#spendingWatched) throw new Error('spending is watched already');
    this.#spendingWatched = true;
    // both gauges from one read per scrape: the registry asks every metric in one synchronous loop
    let reading: Promise<readonly SpendingView[] | undefined> | undefined;
    const once = () => {
      if (reading === undefined) {
        reading = read();
        queueMicrotask(() => (reading = undefined));
      }
      return reading;
    };
    const samples = async (value: (view: SpendingView) => number) => (await once())?.map((view) => ({ labels: { key: view.key, cap: view.cap }, value: value(view) }));
    const labelNames = ['key', 'cap'] as const;
    watchedGauge(this.registry, { name: 'tezsigner_spending_24h_mutez', help: 'what a key spent over the last 24 hours, against the cap named (amounts or fees), in mutez', labelNames }, () => samples((view) => view.spent));
    watchedGauge(this.registry, { name: 'tezsigner_spending_cap_mutez', help: "the key's 24 hour cap (max_amount_24h, max_fee_24h) in the policy now, in mutez", labelNames }, () => samples((view) => view.limit));
  }
}
