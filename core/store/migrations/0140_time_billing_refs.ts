// The invoice (line) that billed each time entry or expense: the time platform only holds
// a billed flag, and an entry must be billed on exactly one invoice line.
import type { Kysely } from 'kysely';
import { ID, TIMESTAMP_MS } from '../portable.js';

// Migrations see the database as it was when they were written, not today's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('time_billing_refs')
    .addColumn('canonical_id', ID, (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('invoice_id', ID, (c) => c.notNull())
    .addColumn('invoice_line_id', ID)
    .addColumn('billed_at', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('time_billing_refs').execute();
}
