// Inbound webhooks recorded by (source, webhook-id) before processing, and the ones
// rejected (bad signature, stale timestamp) kept for operators. Instants: epoch ms.
import { PostgresAdapter, type Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('inbox_messages')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('webhook_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until_ms', TIMESTAMP_MS)
    .addColumn('received_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('processed_at_ms', TIMESTAMP_MS)
    .addPrimaryKeyConstraint('inbox_messages_pk', ['source', 'webhook_id'])
    .execute();
  await db.schema.createIndex('inbox_messages_due_idx').on('inbox_messages').columns(['state', 'next_attempt_ms']).execute();

  await db.schema
    .createTable('inbox_rejections')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('remote_address', 'text')
    .addColumn('body_excerpt', 'text')
    .addColumn('received_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_rejections_received_idx').on('inbox_rejections').column('received_at_ms').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('inbox_rejections').execute();
  await db.schema.dropTable('inbox_messages').execute();
}
