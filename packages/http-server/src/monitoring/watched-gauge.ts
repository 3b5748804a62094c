import { Gauge, type Registry } from 'prom-client';

/** One series of a watched gauge. */
export interface GaugeSample<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

/**
 * A gauge whose series are read from elsewhere at each scrape (held requests, spending): what
 * `read` returns then, and nothing else, so a series whose subject went away goes too. When
 * `read` gives undefined or throws, the series stay as last read: a value that cannot be read
 * now is better shown as it was than dropped, which would end an alert as if resolved.
 */
export function watchedGauge<L extends string>(
  registry: Registry,
  definition: { readonly name: string; readonly help: string; readonly labelNames: readonly L[] },
  read: () => readonly GaugeSample<L>[] | undefined | Promise<readonly GaugeSample<L>[] | undefined>,
): Gauge<L> {
  return new Gauge<L>({
    ...definition,
    registers: [registry],
    async collect() {
      let samples: readonly GaugeSample<L>[] | undefined;
      try {
        samples = await read();
      } catch {
        samples = undefined;
      }
      if (samples === undefined) return;
      this.reset();
      for (const sample of samples) this.set(sample.labels as Partial<Record<L, string>>, sample.value);
    },
  });
}
