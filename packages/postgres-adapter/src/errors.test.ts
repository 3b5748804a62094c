import { describe, expect, it } from 'vitest';
import { TezsignerError } from '@tezsigner/core';
import { DeadlineError, isTransient, sqlState, toStoreError } from './errors.js';

const pgError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code });
const WHERE = 'PostgreSQL 127.0.0.1:5432/marks (schema tezsigner)';

describe('what a PostgreSQL failure means', () => {
  it('tells a server SQLSTATE from a network code', () => {
    expect(sqlState(pgError('55P03'))).toBe('55P03');
    expect(sqlState(pgError('ECONNRESET'))).toBeUndefined();
    expect(sqlState('55P03')).toBeUndefined();
  });

  it('tries again on a fresh connection after a reset, a restart or a failover, never after a lock or statement timeout', () => {
    for (const transient of [pgError('ECONNRESET'), pgError('ECONNREFUSED'), new Error('Connection terminated unexpectedly'), pgError('57P01'), pgError('57P03'), pgError('08006'), pgError('53300')]) {
      expect(isTransient(transient)).toBe(true);
    }
    for (const lasting of [pgError('55P03'), pgError('57014'), pgError('28P01'), pgError('42P01'), new DeadlineError(), new TezsignerError('CONFIG_INVALID', 'x')]) {
      expect(isTransient(lasting)).toBe(false);
    }
  });

  it('makes every failure STORE_UNAVAILABLE naming the database, keeping tezsigner errors as they are', () => {
    expect(toStoreError(new DeadlineError(), WHERE, 2500, 'the watermarks table')).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: `the watermarks table in ${WHERE} did not answer within 2500 ms`,
    });
    expect(toStoreError(pgError('28P01', 'password authentication failed for user "baker"'), WHERE, 2500, 'the watermarks table').message).toBe(
      `the watermarks table in ${WHERE} failed: the password was refused [28P01]`,
    );
    expect(toStoreError(pgError('XX000', 'internal error'), WHERE, 2500, 'the spending table').message).toBe(`the spending table in ${WHERE} failed: internal error [XX000]`);
    expect(toStoreError(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), WHERE, 2500, 'the watermarks table').message).toBe(
      `cannot reach the watermarks table in ${WHERE}: ECONNREFUSED`,
    );
    const corrupt = new TezsignerError('STORE_CORRUPT', 'row unreadable');
    expect(toStoreError(corrupt, WHERE, 2500, 'x')).toBe(corrupt);
  });
});
