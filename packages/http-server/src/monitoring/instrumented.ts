import type { KeyProvider, WatermarkStore } from '@tezsigner/core';
import type { Counter, Histogram } from 'prom-client';
import type { SignerMetrics } from './metrics.js';
import { passedDeadline } from './deadline.js';

/** `error` is what the call threw; undefined when it succeeded. */
type Observe = (operation: string, seconds: number, error: { readonly thrown: unknown } | undefined) => void;

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
        const done = (error?: { thrown: unknown }) => observe(property, (performance.now() - started) / 1000, error);
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(object, args);
        } catch (err) {
          done({ thrown: err });
          throw err;
        }
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            done();
            return answer;
          },
          (err: unknown) => {
            done({ thrown: err });
            throw err;
          },
        );
      };
    },
  });
}

/** The metrics of one port's calls; `L` names the port's own label (`backend`, `store`). */
interface CallMetrics<L extends string> {
  readonly seconds: Histogram<L | 'operation'>;
  readonly errors: Counter<L | 'operation'>;
  readonly deadlines: Counter<L | 'operation'>;
}

/**
 * `target` with its latency, failures and calls past their deadline counted. The calls every
 * signature makes (`signingCalls`) start at 0 errors, so the first failure is an increase an
 * alert sees, and a dashboard shows 0 rather than nothing.
 */
function counted<T extends { readonly name: string }, L extends string>(target: T, label: L, metrics: CallMetrics<L>, signingCalls: readonly string[]): T {
  const name = target.name;
  const labels = (operation: string) => ({ [label]: name, operation }) as Record<L | 'operation', string>;
  for (const operation of signingCalls) {
    metrics.errors.inc(labels(operation), 0);
    metrics.deadlines.inc(labels(operation), 0);
  }
  return timed(target, (operation, seconds, error) => {
    metrics.seconds.observe(labels(operation), seconds);
    if (error === undefined) return;
    metrics.errors.inc(labels(operation));
    if (passedDeadline(error.thrown)) metrics.deadlines.inc(labels(operation));
  });
}

/** The key provider, with per-backend latency, errors and calls past their deadline counted. */
export function instrumentKeyProvider(provider: KeyProvider, metrics: SignerMetrics): KeyProvider {
  return counted(provider, 'backend', { seconds: metrics.backendSeconds, errors: metrics.backendErrors, deadlines: metrics.backendDeadlines }, ['getKey', 'sign']);
}

/** The watermark store, with its latency, failures and calls past their deadline counted. */
export function instrumentWatermarkStore(store: WatermarkStore, metrics: SignerMetrics): WatermarkStore {
  return counted(store, 'store', { seconds: metrics.storeSeconds, errors: metrics.storeErrors, deadlines: metrics.storeDeadlines }, ['read', 'commit']);
}
