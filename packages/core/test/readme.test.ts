import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../../test-support/vectors.js';
import { signTwice } from '../examples/usage.js';

const packageDir = resolve(import.meta.dirname, '..');

describe('README usage example', () => {
  it('is examples/usage.ts, verbatim', () => {
    const readme = readFileSync(resolve(packageDir, 'README.md'), 'utf8');
    const block = /<!-- example:start examples\/usage\.ts -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(readme);
    expect(block?.[1]).toBe(readFileSync(resolve(packageDir, 'examples/usage.ts'), 'utf8'));
  });

  it('runs: signs a block once, then answers it from the watermark', async () => {
    const { requests } = loadVectors<{ requests: { name: string; bytes_hex: string }[] }>('requests');
    const blockHex = requests.find((r) => r.name === 'block level 5000000 round 0')?.bytes_hex ?? '';
    const { publicKey, first, again } = await signTwice(blockHex);
    expect(first).toMatchObject({ outcome: 'signed', request: { kind: 'block', level: 5000000, round: 0 } });
    expect(verifySignature(blockHex, publicKey, first.signature)).toBe(true);
    expect(again).toMatchObject({ outcome: 'repeated', signature: first.signature });
  });
});
