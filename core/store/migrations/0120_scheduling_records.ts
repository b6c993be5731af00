// What the scheduling system API keeps beside the platform: staffing requests (the platform
// has none; it seats them as placeholder allocations) and the last state of cancelled
// assignments (the platform deletes the allocation).
import type { Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// Migrations see the database as it was when they were written, not today's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduling_staffing_requests')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('engagement_id', ID, (c) => c.notNull())
    .addColumn('role', 'varchar(64)', (c) => c.notNull())
    .addColumn('start_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('end_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('effort_minutes', 'integer', (c) => c.notNull())
    .addColumn('skills', JSON_TEXT, (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('task_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('scheduling_cancelled_assignments')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('body', JSON_TEXT, (c) => c.notNull())
    .addColumn('cancelled_at', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduling_cancelled_assignments').execute();
  await db.schema.dropTable('scheduling_staffing_requests').execute();
}
