import type { KeyProvider, WatermarkStore } from '@tezsigner/core';
import type { SignerMetrics } from './metrics.js';

type Observe = (operation: string, seconds: number, failed: boolean) => void;

/**
 * `target` with every async method timed. Methods run bound to the target itself, so classes
 * with private fields work, and the port's shape can change without this file changing.
 */
function timed<T extends object>(target: T, observe: Observe): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const done = (failed: boolean) => observe(property, (performance.now() - started) / 1000, failed);
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (err) {
          done(true);
          throw err;
        }
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            done(false);
            return answer;
          },
          (err: unknown) => {
            done(true);
            throw err;
          },
        );
      };
    },
  });
}

/** The key provider, with per-backend latency and errors counted. */
export function instrumentKeyProvider(provider: KeyProvider, metrics: SignerMetrics): KeyProvider {
  const backend = provider.name;
  return timed(provider, (operation, seconds, failed) => {
    metrics.backendSeconds.observe({ backend, operation }, seconds);
    if (failed) metrics.backendErrors.inc({ backend, operation });
  });
}

/** The watermark store, with its latency and failures counted. */
export function instrumentWatermarkStore(store: WatermarkStore, metrics: SignerMetrics): WatermarkStore {
  const name = store.name;
  return timed(store, (operation, seconds, failed) => {
    metrics.storeSeconds.observe({ store: name, operation }, seconds);
    if (failed) metrics.storeErrors.inc({ store: name, operation });
  });
}
