// In-process event subscribers known to any process, so that a process that lacks one
// (say, an older version during a rolling deploy) leaves a delivery row for it instead of
// silently skipping it. Instants: epoch ms.
import type { Kysely } from 'kysely';
import { JSON_TEXT, TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('event_local_subscribers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('event_types', JSON_TEXT, (c) => c.notNull())
    .addColumn('registered_at_ms', TIMESTAMP_MS, (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('event_local_subscribers').execute();
}
