// A dead letter an operator gives up on is `discarded`, with why, by whom and under which
// request id, in the workflow engine's own table: the core's replay and retry see it, and
// counting open letters stays a read of one table. (Until now the operations API kept
// discards in a table of its own; 0342 moves them here.)
import type { Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflow_dead_letters').addColumn('discard_reason', 'varchar(500)').execute();
  await db.schema.alterTable('workflow_dead_letters').addColumn('discarded_by', 'varchar(256)').execute();
  await db.schema.alterTable('workflow_dead_letters').addColumn('discard_correlation_id', 'varchar(128)').execute();
  await db.schema.alterTable('workflow_dead_letters').addColumn('discarded_at_ms', TIMESTAMP_MS).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('workflow_dead_letters').set({ state: 'open' }).where('state', '=', 'discarded').execute();
  for (const column of ['discarded_at_ms', 'discard_correlation_id', 'discarded_by', 'discard_reason']) {
    await db.schema.alterTable('workflow_dead_letters').dropColumn(column).execute();
  }
}
