// Outbox, webhook subscriptions, per-subscriber deliveries and the consumer de-duplication
// table. Instants are epoch milliseconds in BIGINT columns (`*_ms`); JSON is stored as text
// so that the same DDL runs on SQLite and PostgreSQL.
import { PostgresAdapter, type Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('event_outbox')
    // SQLite: INTEGER PRIMARY KEY is the rowid, monotonic for an append-only table.
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('envelope', JSON_TEXT, (c) => c.notNull())
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('dispatched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dispatched_at_ms', TIMESTAMP_MS)
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until_ms', TIMESTAMP_MS)
    .addUniqueConstraint('event_outbox_source_id_uq', ['source', 'event_id'])
    .execute();
  await db.schema.createIndex('event_outbox_pending_idx').on('event_outbox').columns(['dispatched', 'seq']).execute();
  await db.schema.createIndex('event_outbox_created_idx').on('event_outbox').column('created_at_ms').execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('event_types', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('updated_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('event_deliveries')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('event_seq', 'bigint', (c) => c.notNull().references('event_outbox.seq'))
    .addColumn('subscriber', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until_ms', TIMESTAMP_MS)
    .addColumn('created_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addColumn('delivered_at_ms', TIMESTAMP_MS)
    .addUniqueConstraint('event_deliveries_event_subscriber_uq', ['event_seq', 'subscriber'])
    .execute();
  await db.schema.createIndex('event_deliveries_due_idx').on('event_deliveries').columns(['state', 'next_attempt_ms']).execute();

  await db.schema
    .createTable('event_consumed')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('consumed_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('event_consumed_pk', ['consumer', 'source', 'event_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('event_consumed').execute();
  await db.schema.dropTable('event_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
  await db.schema.dropTable('event_outbox').execute();
}
