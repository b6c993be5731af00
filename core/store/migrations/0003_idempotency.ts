// Idempotency-Key records: one per (consumer, key), in flight or holding the stored response.
import type { Kysely } from 'kysely';
import { ID, JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('consumer', 'varchar(255)', (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull()) // 'in_flight' | 'completed'
    // The request holding the key while in flight, and until when: after that, another may take it over.
    .addColumn('owner', ID, (c) => c.notNull())
    .addColumn('locked_until', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', JSON_TEXT)
    .addColumn('response_body', 'text') // base64
    .addColumn('created_at', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('expires_at', TIMESTAMP_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['consumer', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expires_ix').on('idempotency_keys').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
