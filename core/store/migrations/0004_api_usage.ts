// API usage per consumer, operation, contract version and UTC day: what the governance board
// reads to see who a contract change would hit and who still calls a deprecated version.
import type { Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_usage')
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('consumer', 'varchar(255)', (c) => c.notNull())
    // {layer}/{api}/v{major}, e.g. experience/crm/v1
    .addColumn('contract', 'varchar(128)', (c) => c.notNull())
    .addColumn('version', 'varchar(32)', (c) => c.notNull())
    .addColumn('operation', 'varchar(128)', (c) => c.notNull())
    .addColumn('deprecated', 'integer', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addColumn('last_at', TIMESTAMP_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('api_usage_pk', ['day', 'consumer', 'contract', 'operation', 'version'])
    .execute();
  await db.schema.createIndex('api_usage_contract_ix').on('api_usage').columns(['contract', 'operation', 'day']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_usage').execute();
}
