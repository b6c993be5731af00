// ERP client matching: one row per match key (normalised name + domain, or + tax id),
// unique, so that concurrent find-or-create calls for the same client agree on one id.
import type { Kysely } from 'kysely';
import { ID, TIMESTAMP_MS } from '../portable.js';

// Migrations see the database as it was when they were written, not today's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('erp_client_match_keys')
    .addColumn('match_key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('canonical_id', ID, (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('erp_client_match_keys_canonical_idx').on('erp_client_match_keys').column('canonical_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('erp_client_match_keys').execute();
}
