// Each allocation keeps the hours it bills in hundredths, as the time platform recorded them
// (minutes stay, rounded, for older readers). Null on rows written before hours were kept.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not the typed one
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ttb_allocations').addColumn('hundredths', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the database as it was when written, not today's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ttb_allocations').dropColumn('hundredths').execute();
}
