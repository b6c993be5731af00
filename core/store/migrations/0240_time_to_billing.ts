// Time-to-billing's own records: the invoices it decided to raise (one per engagement, period
// and sequence), which entry went on which of them (the primary key makes "at most one
// invoice" a database fact), and the engagements waiting on a billing hold.
import type { Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('ttb_invoices')
    .addColumn('id', ID, (c) => c.primaryKey())
    .addColumn('engagement_id', ID, (c) => c.notNull())
    .addColumn('period_key', 'varchar(32)', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('erp_invoice_id', ID)
    .addColumn('currency', 'varchar(3)', (c) => c.notNull())
    .addColumn('subtotal_minor', 'bigint', (c) => c.notNull())
    .addColumn('tax_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('draft', JSON_TEXT, (c) => c.notNull())
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addUniqueConstraint('ttb_invoices_seq_uq', ['engagement_id', 'period_key', 'sequence'])
    .execute();
  await db.schema.createIndex('ttb_invoices_run_idx').on('ttb_invoices').column('run_id').execute();

  await db.schema
    .createTable('ttb_allocations')
    .addColumn('source_id', ID, (c) => c.primaryKey())
    .addColumn('source_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('invoice_key', ID, (c) => c.notNull())
    .addColumn('line_index', 'integer', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('marked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('ttb_allocations_invoice_idx').on('ttb_allocations').columns(['invoice_key', 'marked']).execute();

  await db.schema
    .createTable('ttb_holds')
    .addColumn('engagement_id', ID, (c) => c.primaryKey())
    .addColumn('since_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('waiting_minutes', 'integer', (c) => c.notNull())
    .addColumn('waiting_entries', 'integer', (c) => c.notNull())
    .addColumn('waiting_amount_minor', 'bigint')
    .addColumn('currency', 'varchar(3)')
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('ttb_holds').execute();
  await db.schema.dropTable('ttb_allocations').execute();
  await db.schema.dropTable('ttb_invoices').execute();
}
