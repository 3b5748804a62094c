import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LightHistogram } from './light-histogram.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const options = { name: 'tezsigner_test_seconds', help: 'a test histogram', labelNames: ['kind', 'result'] as const, buckets: BUCKETS };

/** The exposition of the same observations by prom-client's Histogram and by ours. */
async function both(observations: ReadonlyArray<readonly [kind: string, result: string, value: number]>): Promise<[string, string]> {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ ...options, labelNames: [...options.labelNames], registers: [theirs] });
  const light = new LightHistogram({ ...options, registers: [ours] });
  for (const [kind, result, value] of observations) {
    reference.observe({ kind, result }, value);
    // labels given in another order than declared: the series is the same
    light.observe({ result, kind }, value);
  }
  return [await theirs.metrics(), await ours.metrics()];
}

describe('LightHistogram', () => {
  it("writes exactly what prom-client's Histogram writes for the same observations", async () => {
    const value = fc.oneof(fc.constantFrom(0, ...BUCKETS, 10.0001, 1e6), fc.double({ min: 0, max: 20, noNaN: true }));
    const observation = fc.tuple(fc.constantFrom('block', 'attestation', 'unknown'), fc.constantFrom('signed', 'repeated', 'watermark_refused'), value);
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const [theirs, ours] = await both(observations);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a value that is not a finite number, as prom-client does, and counts nothing for it', async () => {
    const registry = new Registry();
    const light = new LightHistogram({ ...options, registers: [registry] });
    expect(() => light.observe({ kind: 'block', result: 'signed' }, Number.NaN)).toThrow(TypeError);
    expect(await registry.metrics()).not.toContain('_count');
  });

  it('forgets every series on reset, and a second metric of its name is refused by the registry', async () => {
    const registry = new Registry();
    const light = new LightHistogram({ ...options, registers: [registry] });
    light.observe({ kind: 'block', result: 'signed' }, 0.003);
    expect(await registry.metrics()).toContain('tezsigner_test_seconds_count{kind="block",result="signed"} 1');
    light.reset();
    expect(await registry.metrics()).not.toContain('_count');
    expect(() => new LightHistogram({ ...options, registers: [registry] })).toThrow(/already been registered/);
  });
});
