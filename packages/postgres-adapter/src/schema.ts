import type { ClientBase } from 'pg';
import { configInvalid } from '@tezsigner/core';

/**
 * The version of the tables this code reads and writes. A later release that changes them
 * raises it and migrates from each older version in `ensureSchema`; a database at a version
 * above this one was migrated by a newer tezsigner, whose tables this one must not touch.
 */
export const SCHEMA_VERSION = 1;

/** Quoted, so that a schema name is never read as SQL (the name is checked as well). */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Table names inside a schema, quoted. */
export function tablesOf(schema: string) {
  const s = ident(schema);
  return { version: `${s}.schema_version`, watermarks: `${s}.watermarks`, spending: `${s}.spending` };
}

function createStatements(schema: string): string[] {
  const t = tablesOf(schema);
  return [
    // one row: the version of every table below
    `CREATE TABLE ${t.version} (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    // one row per (chain, key, kind): the highest mark signed and the one signature given for it
    `CREATE TABLE ${t.watermarks} (
      pkh text NOT NULL CHECK (pkh ~ '^[1-9A-HJ-NP-Za-km-z]{1,100}$'),
      chain_id text NOT NULL CHECK (chain_id ~ '^[1-9A-HJ-NP-Za-km-z]{1,100}$'),
      kind text NOT NULL CHECK (kind IN ('block', 'preattestation', 'attestation', 'legacy_endorsement')),
      level integer NOT NULL CHECK (level >= 0),
      round integer NOT NULL CHECK (round >= 0),
      hash text NOT NULL CHECK (hash ~ '^[0-9a-fA-F]{64}$'),
      signature text CHECK (signature <> ''),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (pkh, chain_id, kind)
    )`,
    // each key's spending, one row per position; mutez as numeric, which holds any amount exactly
    `CREATE TABLE ${t.spending} (
      pkh text NOT NULL,
      seq bigint NOT NULL CHECK (seq >= 0),
      time_ms bigint NOT NULL,
      amount numeric NOT NULL CHECK (amount >= 0 AND amount = trunc(amount)),
      fee numeric NOT NULL CHECK (fee >= 0 AND fee = trunc(fee)),
      PRIMARY KEY (pkh, seq)
    )`,
    `INSERT INTO ${t.version} (version) VALUES (${SCHEMA_VERSION})`,
  ];
}

/** Any fixed number: the advisory lock that lets one instance at a time create or migrate a schema. */
const SCHEMA_LOCK = 0x7a657a;

/**
 * Creates the schema and its tables when they are missing, under an advisory lock so that
 * instances starting together do not race; refuses a schema a newer tezsigner migrated. A role
 * that may use the tables but not create them works once someone created them (nothing is
 * created when they exist). Runs in one transaction: a failure leaves nothing half made.
 */
export async function ensureSchema(client: ClientBase, schema: string, where: string): Promise<void> {
  const t = tablesOf(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SCHEMA_LOCK, schema]);
    const found = await client.query<{ exists: boolean; versioned: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists, to_regclass($2) IS NOT NULL AS versioned',
      [schema, t.version],
    );
    const { exists, versioned } = found.rows[0] ?? { exists: false, versioned: false };
    if (!versioned) {
      if (!exists) await client.query(`CREATE SCHEMA ${ident(schema)}`);
      for (const statement of createStatements(schema)) await client.query(statement);
    } else {
      const stored = await client.query<{ version: number }>(`SELECT version FROM ${t.version}`);
      const version = stored.rows[0]?.version;
      if (version === undefined) throw configInvalid(`${where} has an empty schema_version table: restore its row (version ${SCHEMA_VERSION}) or drop the schema's tables`);
      if (version > SCHEMA_VERSION) {
        throw configInvalid(`${where} is at schema version ${version}, newer than this tezsigner knows (${SCHEMA_VERSION}): a newer release migrated it; upgrade tezsigner`);
      }
      // versions below SCHEMA_VERSION are migrated here, one step at a time, once there are any
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
