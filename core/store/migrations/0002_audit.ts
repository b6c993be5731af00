// Audit trail: who (consumer) did what to which target, when, under which correlation id.
import type { Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    // UUIDv7: ordered by time, so it doubles as the pagination cursor.
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('at', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('consumer', 'varchar(255)', (c) => c.notNull())
    .addColumn('action', 'varchar(128)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('correlation_id', 'varchar(255)')
    .addColumn('details', JSON_TEXT)
    .execute();
  await db.schema.createIndex('audit_log_target_ix').on('audit_log').columns(['target_type', 'target_id', 'id']).execute();
  await db.schema.createIndex('audit_log_correlation_ix').on('audit_log').columns(['correlation_id', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
}
