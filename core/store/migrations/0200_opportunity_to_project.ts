// Opportunity-to-project's own record: which ERP client each CRM account became.
import type { Kysely } from 'kysely';
import { ID, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('otp_client_links')
    .addColumn('crm_client_id', ID, (c) => c.primaryKey())
    .addColumn('erp_client_id', ID, (c) => c.notNull())
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('otp_client_links_erp_idx').on('otp_client_links').column('erp_client_id').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('otp_client_links').execute();
}
