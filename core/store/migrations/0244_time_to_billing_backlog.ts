// The invoice posting backlog (invoices drafted or created but not yet posted in ERP) is read on a
// schedule for its gauges: an index on state keeps that a range read of the few unposted rows.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ttb_invoices_state_idx').on('ttb_invoices').columns(['state', 'created_at_ms']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ttb_invoices_state_idx').execute();
}
