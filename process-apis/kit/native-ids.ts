// The platforms' own ids of canonical records, read from the layer's cross-reference table in
// one query per batch: what a reconciliation finding names a record by on its platform.
import type { Kysely } from 'kysely';
import type { Database } from '../../core/store/schema.js';
import '../../core/xref/index.js';

/** Canonical ids per query: keeps the IN list well under every engine's parameter limit. */
const BATCH = 500;

/** `platform → canonical id → native id` for the ids that have a link on the platform. */
export async function nativeIdsOf(db: Kysely<Database>, platform: string, canonicalIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(canonicalIds)];
  for (let i = 0; i < unique.length; i += BATCH) {
    const rows = await db
      .selectFrom('xref')
      .select(['canonical_id', 'native_id'])
      .where('platform', '=', platform)
      .where('canonical_id', 'in', unique.slice(i, i + BATCH))
      .execute();
    for (const row of rows) out.set(row.canonical_id, row.native_id);
  }
  return out;
}
