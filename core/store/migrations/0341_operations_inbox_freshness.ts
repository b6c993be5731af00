// Freshness per platform is the age of the last webhook received from it: one index range per
// platform (source, received_at_ms) instead of a scan of every message ever received.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('ops_inbox_messages_source_received_idx')
    .on('inbox_messages')
    .columns(['source', 'received_at_ms'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ops_inbox_messages_source_received_idx').execute();
}
