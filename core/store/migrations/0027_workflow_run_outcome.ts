// A completed run may say what came of it: `refused` (the platform's data said no, e.g. the
// deal was no longer won) or `skipped` (nothing to do), with a reason, so an operator does not
// read a refusal as work done.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflow_runs').addColumn('outcome', 'varchar(20)').execute();
  await db.schema.alterTable('workflow_runs').addColumn('outcome_reason', 'varchar(500)').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflow_runs').dropColumn('outcome_reason').execute();
  await db.schema.alterTable('workflow_runs').dropColumn('outcome').execute();
}
