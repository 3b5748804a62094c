import { configInvalid } from '@tezsigner/core';
import { expect, test } from 'vitest';
import { ReloadRegistry } from './reloadable.js';

test('each reloadable reloads on its own: a failure is reported and the others still reload', async () => {
  const registry = new ReloadRegistry();
  const current = { policy: 'v1', keys: 'v1' };
  registry.add({ name: 'policy /etc/p.yaml', reload: () => Promise.reject(configInvalid('/etc/p.yaml:3: unknown setting x')) });
  registry.add({
    name: 'authorized keys',
    reload: () => {
      current.keys = 'v2';
      return Promise.resolve('2 key(s)');
    },
  });
  const lines: string[] = [];
  await registry.reloadAll((line) => lines.push(line));
  expect(lines).toEqual(['error: kept the previous policy /etc/p.yaml: /etc/p.yaml:3: unknown setting x', 'reloaded authorized keys: 2 key(s)']);
  expect(current).toEqual({ policy: 'v1', keys: 'v2' });
});

test('reloads asked for at once run one after the other', async () => {
  const registry = new ReloadRegistry();
  let running = 0;
  let overlapped = false;
  registry.add({
    name: 'slow',
    reload: async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return 'done';
    },
  });
  const lines: string[] = [];
  await Promise.all([registry.reloadAll((l) => lines.push(l)), registry.reloadAll((l) => lines.push(l)), registry.reloadAll((l) => lines.push(l))]);
  expect(overlapped).toBe(false);
  expect(lines).toEqual(['reloaded slow: done', 'reloaded slow: done', 'reloaded slow: done']);
});

test('with nothing registered, a reload says so', async () => {
  const lines: string[] = [];
  await new ReloadRegistry().reloadAll((line) => lines.push(line));
  expect(lines).toEqual(['SIGHUP received: nothing to reload (no authorized keys, TLS or policy file in use)']);
});
