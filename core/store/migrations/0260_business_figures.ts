// Business figures computed on a schedule: each computation's figures as the executive page
// shows them (one row), and one point per figure (and currency) for the trends.
import type { Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('bf_snapshots')
    .addColumn('computed_at_ms', TIMESTAMP_MS, (c) => c.primaryKey())
    .addColumn('window_days', 'integer', (c) => c.notNull())
    .addColumn('figures', JSON_TEXT, (c) => c.notNull())
    .addColumn('computed_by', 'varchar(200)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bf_points')
    .addColumn('at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('figure', 'varchar(64)', (c) => c.notNull())
    // '' for a figure without a currency; a primary key column cannot be null on PostgreSQL.
    .addColumn('currency', 'varchar(3)', (c) => c.notNull())
    .addColumn('unit', 'varchar(16)', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('bf_points_pk', ['figure', 'currency', 'at_ms'])
    .execute();
  await db.schema.createIndex('bf_points_at_idx').on('bf_points').column('at_ms').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('bf_points').execute();
  await db.schema.dropTable('bf_snapshots').execute();
}
