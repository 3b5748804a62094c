import { expect, test } from 'vitest';
import { attestation } from '../../../http-server/test/support/consensus-bytes.js';
import { forgeTransfer } from '../../../../test-support/operations.js';
import { decodeRequest } from './decoded-request.js';
import { decodedToJson, describeDecoded } from './request-view.js';

const KEY = 'tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si';
const view = (bytes: string, chain?: string) => ({ id: '0123456789abcdef', key: KEY, bytes, ...(chain === undefined ? {} : { chain }), rule: 'default.attestation', reason: 'attestation requests (0x13): confirm', received_at: '2026-01-01T00:00:00.000Z', age_ms: 65_000 });

test('a consensus request shows its chain, as decoded here; a chain the signer names otherwise is called out', () => {
  const shown = describeDecoded(decodeRequest(view(attestation('attestation', 100, 2), 'NetXdQprcVkpaWU')));
  expect(shown).toContain('  attestation at level 100 round 2 on NetXdQprcVkpaWU\n  key tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si, attestation on chain NetXdQprcVkpaWU\n');
  expect(shown).toContain('waiting for 1 min 5 s (request id 0123456789abcdef)');
  expect(shown).not.toContain('the signer says');
  expect(describeDecoded(decodeRequest(view(attestation('attestation', 100, 2), 'NetXnHfVqm9iesp')))).toContain('the signer says it is for chain NetXnHfVqm9iesp, its bytes say NetXdQprcVkpaWU: refuse it');
});

test('bytes that cannot be decoded are shown as bytes, to be refused', () => {
  const decoded = decodeRequest(view('03ff'));
  expect(decoded.request).toBeUndefined();
  expect(describeDecoded(decoded)).toMatch(/its bytes cannot be decoded here \(.+\): it can only be refused from here\n {2}key tz1VnNSWW9UdZCEPgUFua6nHxSq1rtDzs3Si, 2 bytes: 0x03ff/);
  expect(decodeRequest(view('zz')).problem).toBe('the signer sent no readable bytes for it');
});

test('an operation\'s totals and every field, as JSON for scripts too', async () => {
  const bytes = await forgeTransfer({ source: KEY, destination: 'tz1aSkwEot3L2kmUvcoxzjMomb9mvBNuzFK6', amount: 2_000_000n, storageLimit: 0 });
  const decoded = decodeRequest(view(bytes));
  expect(describeDecoded(decoded)).toContain('takes at most 2 ꜩ (sent, burnt for storage, locked as bonds) plus 0.0014 ꜩ in fees');
  expect(decodedToJson(decoded)).toMatchObject({ id: '0123456789abcdef', kind: 'operation', totals: { amount: '2000000', fee: '1400' }, details: { contents: [{ kind: 'transaction', amount: '2000000' }] }, bytes });
});
