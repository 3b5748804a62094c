import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { assertStorableMark, fromRow, keyColumns } from './rows.js';

const row = { pkh: 'tz1KqTpEZ7Yob7QbPE4Hy4Wo8fHG8LhKxZSx', chain_id: 'NetXdQprcVkpaWU', kind: 'block', level: 7, round: 1, hash: 'ab'.repeat(32), signature: 'edsigX' };

describe('watermark rows', () => {
  it('reads a row back as an entry, a NULL signature as none', () => {
    expect(fromRow(row, 'db')).toEqual({ key: { pkh: row.pkh, chainId: row.chain_id, kind: 'block' }, watermark: { level: 7, round: 1, hash: row.hash, signature: 'edsigX' } });
    expect(fromRow({ ...row, signature: null }, 'db').watermark).toEqual({ level: 7, round: 1, hash: row.hash });
  });

  it('reads nothing it cannot read exactly: STORE_CORRUPT naming the row', () => {
    for (const [damage, why] of [
      [{ kind: 'endorsement' }, 'bad key columns'],
      [{ pkh: 'tz1/../' }, 'bad key columns'],
      [{ level: -1 }, 'bad level or round'],
      [{ round: 2 ** 31 }, 'bad level or round'],
      [{ level: '7' }, 'bad level or round'],
      [{ hash: 'seventy' }, 'bad hash'],
      [{ signature: '' }, 'bad signature'],
    ] as const) {
      expect(thrownMessage('STORE_CORRUPT', () => fromRow({ ...row, ...damage }, 'PostgreSQL x'))).toMatch(new RegExp(`in PostgreSQL x is unreadable: ${why}$`));
    }
  });

  it('refuses keys and marks a row could not hold, before any statement', () => {
    expect(keyColumns({ pkh: row.pkh, chainId: row.chain_id, kind: 'attestation' })).toEqual([row.pkh, row.chain_id, 'attestation']);
    expect(thrownMessage('BAD_REQUEST', () => keyColumns({ pkh: "tz1'; --", chainId: row.chain_id, kind: 'block' }))).toMatch(/is not base58/);
    expect(thrownMessage('BAD_REQUEST', () => assertStorableMark({ level: 1.5, round: 0, hash: row.hash }))).toMatch(/must be integers/);
    expect(thrownMessage('BAD_REQUEST', () => assertStorableMark({ level: 1, round: 0, hash: 'xyz' }))).toMatch(/64 hex digits/);
  });
});
