import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { checkSession } from './database.js';

const durable = { synchronous_commit: 'on', configured_synchronous_commit: 'on', fsync: 'on', transaction_read_only: 'off' };

describe('the check of every connection', () => {
  it('takes a session whose commits are flushed before they are acknowledged', () => {
    expect(() => checkSession(durable, 'db')).not.toThrow();
    expect(() => checkSession({ ...durable, synchronous_commit: 'remote_apply', configured_synchronous_commit: 'remote_apply' }, 'db')).not.toThrow();
  });

  it('refuses one that acknowledges early, naming the setting, and a read-only one as unavailable', () => {
    for (const lax of ['off', 'local', 'remote_write']) {
      expect(thrownMessage('CONFIG_INVALID', () => checkSession({ ...durable, synchronous_commit: lax }, 'PostgreSQL x'))).toMatch(
        new RegExp(`^PostgreSQL x has synchronous_commit = ${lax}: .* set synchronous_commit = on`),
      );
      // a session held durable, on a server since reloaded with the setting off
      expect(thrownMessage('CONFIG_INVALID', () => checkSession({ ...durable, configured_synchronous_commit: lax }, 'PostgreSQL x'))).toMatch(
        new RegExp(`^PostgreSQL x has synchronous_commit = ${lax}: `),
      );
    }
    expect(thrownMessage('CONFIG_INVALID', () => checkSession({ ...durable, fsync: 'off' }, 'db'))).toMatch(/fsync = off/);
    expect(thrownMessage('STORE_UNAVAILABLE', () => checkSession({ ...durable, transaction_read_only: 'on' }, 'db'))).toMatch(/read-only \(a standby\?\)/);
  });
});
