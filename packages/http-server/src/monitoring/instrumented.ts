import type { CommitResult, KeyProvider, PreparedCommit, WatermarkStore } from '@tezsigner/core';
import type { Counter } from 'prom-client';
import type { LightHistogram } from './light-histogram.js';
import type { SignerMetrics } from './metrics.js';
import { passedDeadline } from './deadline.js';

type Method = (...args: unknown[]) => unknown;

/** `error` is what the call threw; undefined when it succeeded. */
type Observe = (operation: string, seconds: number, error: { readonly thrown: unknown } | undefined) => void;

/**
 * `target` with every async method timed. Methods run bound to the target itself, so classes
 * with private fields work, and the port's shape can change without this file changing. Each
 * method's timed stand-in is made once, on its first use.
 */
function timed<T extends object>(target: T, observe: Observe): T {
  const standIns = new Map<string, { method: unknown; standIn: (...args: unknown[]) => unknown }>();
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      const made = standIns.get(property);
      // made again if the method was replaced on the object since
      if (made?.method === value) return made.standIn;
      const method = value as Method;
      const standIn = property === 'prepareCommit' ? timedPreparation(object, method, observe) : timedCall(object, property, method, observe);
      standIns.set(property, { method: value, standIn });
      return standIn;
    },
  });
}

/** `method` of `object`, its calls timed as `operation`: a promise when it settles, anything else at once. */
function timedCall(object: object, operation: string, method: Method, observe: Observe): (...args: unknown[]) => unknown {
  return (...args) => {
    const started = performance.now();
    let result: unknown;
    try {
      result = method.apply(object, args);
    } catch (err) {
      observe(operation, (performance.now() - started) / 1000, { thrown: err });
      throw err;
    }
    if (!(result instanceof Promise)) {
      observe(operation, (performance.now() - started) / 1000, undefined);
      return result;
    }
    return result.then(
      (answer: unknown) => {
        observe(operation, (performance.now() - started) / 1000, undefined);
        return answer;
      },
      (err: unknown) => {
        observe(operation, (performance.now() - started) / 1000, { thrown: err });
        throw err;
      },
    );
  };
}

/**
 * A store's prepared commit (WatermarkStore.prepareCommit) is timed as the commit it is, from
 * its preparation to its completion, and its failures counted as a commit's; an abandoned one
 * (its signature did not verify) is no commit and is not timed.
 */
function timedPreparation(store: object, prepareCommit: Method, observe: Observe): (...args: unknown[]) => PreparedCommit {
  return (...args) => {
    const started = performance.now();
    let prepared: PreparedCommit;
    try {
      prepared = prepareCommit.apply(store, args) as PreparedCommit;
    } catch (err) {
      observe('commit', (performance.now() - started) / 1000, { thrown: err });
      throw err;
    }
    const complete = timedCall(prepared, 'commit', prepared.complete as Method, (operation, _seconds, error) => observe(operation, (performance.now() - started) / 1000, error));
    return { complete: () => complete() as Promise<CommitResult>, abandon: () => prepared.abandon() };
  };
}

/** The metrics of one port's calls; `L` names the port's own label (`backend`, `store`). */
interface CallMetrics<L extends string> {
  readonly seconds: LightHistogram<L | 'operation'>;
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
  // one labels object per operation, made once: every signature observes a few
  const known = new Map<string, Record<L | 'operation', string>>();
  const labels = (operation: string) => {
    let found = known.get(operation);
    if (found === undefined) {
      found = { [label]: name, operation } as Record<L | 'operation', string>;
      known.set(operation, found);
    }
    return found;
  };
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
