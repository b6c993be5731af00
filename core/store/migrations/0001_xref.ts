// Cross-references: each canonical id (UUIDv7) mapped to each platform's native id.
import type { Kysely } from 'kysely';
import { ID, TIMESTAMP_MS } from '../portable.js';

// Migrations see the database as it was when they were written, not today's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('xref')
    .addColumn('canonical_id', ID, (c) => c.notNull())
    .addColumn('entity_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('platform', 'varchar(64)', (c) => c.notNull())
    .addColumn('native_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP_MS, (c) => c.notNull())
    // One native record per canonical id and platform…
    .addPrimaryKeyConstraint('xref_pk', ['canonical_id', 'platform'])
    // …and one canonical id per native record: this is what prevents duplicates.
    .addUniqueConstraint('xref_native_uq', ['platform', 'entity_type', 'native_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('xref').execute();
}
