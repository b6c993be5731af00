// Billing-status-to-crm's own record: when each account was last brought in step in the CRM.
import type { Kysely } from 'kysely';
import { ID, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('bsc_account_sync')
    .addColumn('erp_client_id', ID, (c) => c.primaryKey())
    .addColumn('crm_client_id', ID, (c) => c.notNull())
    .addColumn('synced_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('bsc_account_sync').execute();
}
