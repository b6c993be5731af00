// The allocations the layer has seen on the scheduling platform, as it last saw them: Float's
// list cannot show a deleted allocation, so the change feed finds deletions by comparing this
// table with the list (system-apis/scheduling/changes.ts).
import type { Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduling_task_snapshots')
    .addColumn('task_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('body', JSON_TEXT, (c) => c.notNull())
    .addColumn('modified', 'varchar(19)', (c) => c.notNull())
    .addColumn('gone_at_ms', TIMESTAMP_MS)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduling_task_snapshots').execute();
}
