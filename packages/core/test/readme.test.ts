import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifySignature } from '@taquito/utils';
import { describe, expect, it } from 'vitest';

const packageDir = resolve(import.meta.dirname, '..');

describe('README usage example', () => {
  it('is examples/usage.ts, verbatim', () => {
    const readme = readFileSync(resolve(packageDir, 'README.md'), 'utf8');
    const block = /<!-- example:start examples\/usage\.ts -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(readme);
    expect(block?.[1]).toBe(readFileSync(resolve(packageDir, 'examples/usage.ts'), 'utf8'));
  });

  it('runs as it stands: signs a block once, answers it again from the watermark, refuses other bytes at its level and round', () => {
    // as a user runs a TypeScript file (the packages resolved to their sources); the release test
    // runs it again, compiled, against the packed packages
    const output = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', resolve(packageDir, 'examples/usage.ts')], { encoding: 'utf8' });
    const [signed, refused] = output.trim().split('\n');
    const [, publicKey = '', blockHex = '', signature = ''] = /^(edpk\w+) signed ([0-9a-f]+): (edsig\w+) \(signed, then repeated\)$/.exec(signed ?? '') ?? [];
    expect(verifySignature(blockHex, publicKey, signature)).toBe(true);
    expect(refused).toMatch(/^another block at the same level and round: WATERMARK_REFUSED, refusing to sign different bytes at level 5000000 round 0/);
  });
});
