// The operations API's own table (dead letters an operator discarded, with who and why) and
// an index that keeps the open-dead-letter count a range read: replayed letters stay in the
// table for good, so counting the open ones must not scan it. (Runs need no index of ours:
// workflow_runs_due_idx starts with the state.)
import type { Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ops_dead_letter_discards')
    .addColumn('dead_letter_id', 'bigint', (c) => c.primaryKey())
    .addColumn('reason', 'varchar(500)', (c) => c.notNull())
    .addColumn('discarded_by', 'varchar(256)', (c) => c.notNull())
    .addColumn('correlation_id', 'varchar(128)')
    .addColumn('discarded_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ops_workflow_dead_letters_state_idx').on('workflow_dead_letters').columns(['state', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ops_workflow_dead_letters_state_idx').execute();
  await db.schema.dropTable('ops_dead_letter_discards').execute();
}
