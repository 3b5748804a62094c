import { describe, expect, test } from 'vitest';
import { parseMetrics } from '../../test/support/switchable.js';
import { SignerMetrics, type SpendingView } from './metrics.js';

const KEY = 'tz1VSUr8wwNhLAzempoch5d6hLRiTh8Cjcjb';
const scrape = async (metrics: SignerMetrics) => parseMetrics(await metrics.registry.metrics());

describe('SignerMetrics', () => {
  test('refusals start at 0 for each reason, so the first one is an increase; the version and the keys served are exported', async () => {
    const metrics = new SignerMetrics({ processMetrics: false, version: '1.2.3' });
    metrics.setKnownKeys([KEY, 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6']);
    const values = await scrape(metrics);
    expect(values.get('tezsigner_refusals_total{reason="watermark"}')).toBe(0);
    expect(values.get('tezsigner_refusals_total{reason="policy"}')).toBe(0);
    expect(values.get('tezsigner_refusals_total{reason="auth"}')).toBe(0);
    expect(values.get('tezsigner_build_info{version="1.2.3"}')).toBe(1);
    expect(values.get('tezsigner_keys_served')).toBe(2);
    // no signer that can hold requests or has caps, no TLS: none of their series
    expect([...values.keys()].filter((name) => /held|spending|tls/.test(name))).toEqual([]);
  });

  test('the high watermark gauges show the highest mark per key and kind, never a lower one, unknown keys as "other"', async () => {
    const metrics = new SignerMetrics({ processMetrics: false });
    metrics.setKnownKeys([KEY]);
    metrics.observeHighWatermark(KEY, 'block', 12, 1);
    metrics.observeHighWatermark(KEY, 'block', 11, 5);
    metrics.observeHighWatermark(KEY, 'block', 12, 0);
    metrics.observeHighWatermark(KEY, 'attestation', 7, 0);
    metrics.observeHighWatermark('tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6', 'block', 3, 2);
    let values = await scrape(metrics);
    expect([...values].filter(([name]) => name.startsWith('tezsigner_high_watermark'))).toEqual([
      [`tezsigner_high_watermark_level{key="${KEY}",kind="block"}`, 12],
      [`tezsigner_high_watermark_level{key="${KEY}",kind="attestation"}`, 7],
      ['tezsigner_high_watermark_level{key="other",kind="block"}', 3],
      [`tezsigner_high_watermark_round{key="${KEY}",kind="block"}`, 1],
      [`tezsigner_high_watermark_round{key="${KEY}",kind="attestation"}`, 0],
      ['tezsigner_high_watermark_round{key="other",kind="block"}', 2],
    ]);
    metrics.observeHighWatermark(KEY, 'block', 13, 0);
    values = await scrape(metrics);
    expect([values.get(`tezsigner_high_watermark_level{key="${KEY}",kind="block"}`), values.get(`tezsigner_high_watermark_round{key="${KEY}",kind="block"}`)]).toEqual([13, 0]);
  });

  test('readiness: 1 when every probe passed, 0 naming the probe that failed', async () => {
    const metrics = new SignerMetrics({ processMetrics: false });
    metrics.observeReadiness([{ name: 'key backend local', ok: true }, { name: 'watermark store file', ok: false }]);
    let values = await scrape(metrics);
    expect(values.get('tezsigner_ready')).toBe(0);
    expect(values.get('tezsigner_readiness_probe_success{probe="watermark store file"}')).toBe(0);
    expect(values.get('tezsigner_readiness_probe_success{probe="key backend local"}')).toBe(1);
    metrics.observeReadiness([{ name: 'key backend local', ok: true }, { name: 'watermark store file', ok: true }]);
    values = await scrape(metrics);
    expect(values.get('tezsigner_ready')).toBe(1);
    expect(values.get('tezsigner_readiness_probe_success{probe="watermark store file"}')).toBe(1);
  });

  test('certificate expiry in seconds since the epoch, per role; a role without a certificate has no series', async () => {
    const metrics = new SignerMetrics({ processMetrics: false });
    metrics.observeCertificate('server', Date.UTC(2031, 0, 2, 3, 4, 5));
    metrics.observeCertificate('client_ca', Date.UTC(2030, 0, 1));
    expect((await scrape(metrics)).get('tezsigner_tls_certificate_expiry_timestamp_seconds{certificate="server"}')).toBe(1925089445);
    metrics.observeCertificate('client_ca', undefined);
    const values = await scrape(metrics);
    expect(values.has('tezsigner_tls_certificate_expiry_timestamp_seconds{certificate="client_ca"}')).toBe(false);
    expect(values.get('tezsigner_tls_certificate_expiry_timestamp_seconds{certificate="server"}')).toBe(1925089445);
  });

  test('held requests and their limit are read at each scrape', async () => {
    const metrics = new SignerMetrics({ processMetrics: false });
    let held = 2;
    metrics.watchHeldRequests(() => ({ held, max: 8 }));
    const values = await scrape(metrics);
    expect([values.get('tezsigner_held_requests'), values.get('tezsigner_held_requests_limit')]).toEqual([2, 8]);
    held = 8;
    expect((await scrape(metrics)).get('tezsigner_held_requests')).toBe(8);
    expect(() => metrics.watchHeldRequests(() => ({ held: 0, max: 1 }))).toThrow(/already/);
  });

  test('spending: one read per scrape for both gauges; a series whose cap went away goes; a failed read keeps the last values', async () => {
    const metrics = new SignerMetrics({ processMetrics: false });
    let answer: readonly SpendingView[] | undefined | Error = [
      { key: KEY, cap: 'max_amount_24h', spent: 7_000_000, limit: 10_000_000 },
      { key: KEY, cap: 'max_fee_24h', spent: 2_500, limit: 50_000 },
    ];
    let reads = 0;
    metrics.watchSpending(async () => {
      reads++;
      if (answer instanceof Error) throw answer;
      return answer;
    });
    let values = await scrape(metrics);
    expect(reads).toBe(1);
    expect(values.get(`tezsigner_spending_24h_mutez{key="${KEY}",cap="max_amount_24h"}`)).toBe(7_000_000);
    expect(values.get(`tezsigner_spending_cap_mutez{key="${KEY}",cap="max_amount_24h"}`)).toBe(10_000_000);
    expect(values.get(`tezsigner_spending_24h_mutez{key="${KEY}",cap="max_fee_24h"}`)).toBe(2_500);

    answer = [{ key: KEY, cap: 'max_amount_24h', spent: 9_000_000, limit: 10_000_000 }];
    values = await scrape(metrics);
    expect(reads).toBe(2);
    expect(values.get(`tezsigner_spending_24h_mutez{key="${KEY}",cap="max_amount_24h"}`)).toBe(9_000_000);
    expect(values.has(`tezsigner_spending_24h_mutez{key="${KEY}",cap="max_fee_24h"}`)).toBe(false);

    for (const failure of [undefined, new Error('ledger gone')]) {
      answer = failure;
      values = await scrape(metrics);
      expect(values.get(`tezsigner_spending_24h_mutez{key="${KEY}",cap="max_amount_24h"}`)).toBe(9_000_000);
      expect(values.get(`tezsigner_spending_cap_mutez{key="${KEY}",cap="max_amount_24h"}`)).toBe(10_000_000);
    }
  });
});
