// Durable change cursors: where the layer stands in each platform's change feed (a watermark
// and its tie-breaker, a replay id), so that after downtime a poll resumes where it stopped.
import type { Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('change_cursors')
    .addColumn('stream', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('position', JSON_TEXT, (c) => c.notNull())
    .addColumn('last_change_ms', TIMESTAMP_MS)
    .addColumn('caught_up_at_ms', TIMESTAMP_MS)
    .addColumn('changes_recorded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_cursors').execute();
}
