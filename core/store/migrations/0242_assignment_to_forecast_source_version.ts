// The platform's own last-modified instant of each assignment snapshot, so that a run which
// read an older state of the assignment never overwrites a newer snapshot another run saved.
import type { Kysely } from 'kysely';
import { TIMESTAMP_MS } from '../portable.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('atf_assignments')
    .addColumn('source_updated_ms', TIMESTAMP_MS, (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('atf_assignments').dropColumn('source_updated_ms').execute();
}
