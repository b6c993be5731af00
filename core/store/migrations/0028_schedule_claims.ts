// Periodic jobs (reconciliation polls) claim each period here, so that of several replicas on
// one store exactly one runs each round. The primary key is the claim.
import type { Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedule_claims')
    .addColumn('job', 'varchar(100)', (c) => c.notNull())
    .addColumn('period_start_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('claimed_by', 'varchar(256)', (c) => c.notNull())
    .addColumn('claimed_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_claims_pk', ['job', 'period_start_ms'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('schedule_claims').execute();
}
