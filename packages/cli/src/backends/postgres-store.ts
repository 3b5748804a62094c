import { DEFAULT_POSTGRES_SCHEMA, PostgresWatermarkStore } from '@tezsigner/postgres-adapter';
import type { PostgresConnectionOptions } from '@tezsigner/postgres-adapter';
import { TezsignerError, isTezsignerError } from '@tezsigner/core';
import type { WatermarkStore } from '@tezsigner/core';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { CliIo } from '../io/cli-io.js';
import type { BackendOptions } from './backend-options.js';

export const POSTGRES_URL_ENV = 'TEZSIGNER_POSTGRES_URL';

/** The options of `--watermark-store postgres`, on every command that opens a watermark store. */
export function addPostgresOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--postgres-url <url>',
        `postgres store: postgres://user:password@host:5432/database?sslmode=verify-full (default: $${POSTGRES_URL_ENV}; prefer the variable, the URL holds the password)`,
      ),
    )
    .addOption(new Option('--postgres-schema <name>', `postgres store: the schema of its tables (default: ${DEFAULT_POSTGRES_SCHEMA}, created if missing)`));
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** What the options and the environment say about the database, checked before anything is opened. */
export function postgresOptions(options: BackendOptions, env: CliIo['env']): PostgresConnectionOptions {
  const url = text(options['postgresUrl']) ?? text(env[POSTGRES_URL_ENV]);
  if (url === undefined) {
    throw new TezsignerError('CONFIG_INVALID', `the postgres watermark store needs a URL: set $${POSTGRES_URL_ENV} (or --postgres-url) to postgres://user:password@host:5432/database`);
  }
  const schema = text(options['postgresSchema']);
  return schema === undefined ? { url } : { url, schema };
}

/**
 * The `postgres` store: one PostgreSQL database shared by every signer instance. Opening checks
 * that the database answers, that its commits are durable and that its schema is one this
 * version knows: a setting or schema to fix stops the signer at start; a database that does not
 * answer does not (an outage must not keep a signer down), and watermarked requests fail closed
 * until it answers.
 */
export async function openPostgresWatermarkStore(options: BackendOptions, io: CliIo): Promise<WatermarkStore> {
  const store = new PostgresWatermarkStore(postgresOptions(options, io.env));
  if (store.protection === 'plain') {
    io.stderr(`tezsigner: warning: ${store.description} is reached over plain TCP (sslmode=disable): whoever is on the path can read and change what the signer is told of its marks\n`);
  }
  try {
    await store.probe();
  } catch (err) {
    if (!isTezsignerError(err, 'STORE_UNAVAILABLE')) {
      await store.close();
      throw err;
    }
    io.stderr(`tezsigner: warning: ${err.message}; watermarked requests fail closed until it answers\n`);
  }
  return store;
}
