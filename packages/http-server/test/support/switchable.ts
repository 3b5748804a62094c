import type { TezsignerError } from '@tezsigner/core';

/**
 * `target`, whose every method fails with `fault()` while `down` is true: a backend or store
 * that goes away and comes back, whatever the shape of its port.
 */
export function switchable<T extends object>(target: T, fault: () => TezsignerError): { readonly value: T; down: boolean } {
  const state = { down: false, value: target };
  state.value = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (state.down ? Promise.reject(fault()) : (value as (...a: unknown[]) => unknown).apply(object, args));
    },
  });
  return state;
}

/** Parses Prometheus' text format into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}
