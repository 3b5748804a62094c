import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../test-support/errors.js';
import { parseConnection } from './connection.js';

const SECRET = 's3cret-Pa55';

describe('parseConnection', () => {
  it('describes where it connects without the password or the rest of the URL', () => {
    const { target, config } = parseConnection({ url: `postgres://baker:${SECRET}@db.example.com:6543/marks?sslmode=verify-full&application_name=x` }, {});
    expect(target).toEqual({ description: 'PostgreSQL db.example.com:6543/marks (schema tezsigner)', schema: 'tezsigner', protected: 'tls' });
    expect(config.password).toBe(SECRET);
    expect(parseConnection({ url: 'postgresql://baker@127.0.0.1/marks', schema: 'ha_marks' }, {}).target).toEqual({
      description: 'PostgreSQL 127.0.0.1:5432/marks (schema ha_marks)',
      schema: 'ha_marks',
      protected: 'local',
    });
    expect(parseConnection({ url: 'postgres://baker@%2Fvar%2Frun%2Fpostgresql/marks' }, {}).target.protected).toBe('local');
  });

  it('refuses plain TCP beyond this machine unless asked for, and takes TLS from PGSSLMODE as node-postgres does', () => {
    expect(thrownMessage('CONFIG_INVALID', () => parseConnection({ url: `postgres://baker:${SECRET}@db.example.com/marks` }, {}))).toMatch(
      /reaches db\.example\.com without TLS: add sslmode=verify-full/,
    );
    expect(parseConnection({ url: 'postgres://baker@db.example.com/marks?sslmode=disable' }, {}).target.protected).toBe('plain');
    expect(parseConnection({ url: 'postgres://baker@db.example.com/marks' }, { PGSSLMODE: 'verify-full' }).target.protected).toBe('tls');
  });

  it('never echoes a URL it cannot use', () => {
    for (const url of [`mysql://baker:${SECRET}@db/marks`, `postgres://baker:${SECRET}@db:99999999/marks`]) {
      const message = thrownMessage('CONFIG_INVALID', () => parseConnection({ url }, {}));
      expect(message).not.toContain(SECRET);
      expect(message).toMatch(/it is not shown here: it may hold a password/);
    }
    expect(thrownMessage('CONFIG_INVALID', () => parseConnection({ url: `postgres://baker:${SECRET}@127.0.0.1/m?sslrootcert=/nonexistent/ca.pem` }, {}))).toBe(
      'the PostgreSQL URL names a TLS file that cannot be read: /nonexistent/ca.pem [ENOENT]',
    );
  });

  it('takes only schema names it can quote safely', () => {
    expect(thrownMessage('CONFIG_INVALID', () => parseConnection({ url: 'postgres://127.0.0.1/m', schema: 'Marks"; drop' }, {}))).toMatch(/is not a schema name/);
  });
});
