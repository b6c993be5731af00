// The layer's own alerts (core/alerts): the pending and firing ones, so that `for` keeps counting and
// a firing alert is not announced again across restarts and replicas.
import type { Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_states')
    .addColumn('fingerprint', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('alertname', 'varchar(200)', (c) => c.notNull())
    .addColumn('labels', JSON_TEXT, (c) => c.notNull())
    .addColumn('annotations', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    // Null for NaN, which SQLite cannot store.
    .addColumn('value', 'double precision')
    .addColumn('active_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('fired_at_ms', TIMESTAMP_MS)
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alert_states').execute();
}
