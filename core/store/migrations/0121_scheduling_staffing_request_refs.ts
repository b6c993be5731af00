// A staffing request may carry its requester's reference; at most one request per reference,
// so a retried create finds the first instead of seating a second (see system-apis/scheduling/staffing.ts).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scheduling_staffing_requests').addColumn('external_reference', 'varchar(200)').execute();
  // Unique where set: requests made without a reference (NULL) do not collide, on either engine.
  await db.schema
    .createIndex('scheduling_staffing_requests_reference_uq')
    .on('scheduling_staffing_requests')
    .column('external_reference')
    .unique()
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('scheduling_staffing_requests_reference_uq').execute();
  await db.schema.alterTable('scheduling_staffing_requests').dropColumn('external_reference').execute();
}
