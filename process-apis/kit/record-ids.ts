// The platforms' own ids of records a finding names by canonical id: operators search the
// platform's screens by those. Read from the cross-references in bulk, one query per 500 ids.
import type { Kysely } from 'kysely';
import type { Database } from '../../core/store/schema.js';
import type { RecordPlatform, RecordRef } from './reconciliation.js';

const BATCH = 500;

/** Native ids on `platform` by canonical id (ids the platform never had are left out). */
export async function platformIdsOf(
  db: Kysely<Database>,
  platform: RecordPlatform,
  canonicalIds: readonly string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(canonicalIds)];
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db
      .selectFrom('xref')
      .select(['canonical_id', 'native_id'])
      .where('canonical_id', 'in', ids.slice(i, i + BATCH))
      .where('platform', '=', platform)
      .execute();
    for (const r of rows) out.set(r.canonical_id, r.native_id);
  }
  return out;
}

/** The records with the platform's own id in `id` (the canonical id stays in `canonicalId`). */
export async function withPlatformIds<T extends { records: RecordRef[] }>(
  db: Kysely<Database>,
  platform: RecordPlatform,
  items: T[],
): Promise<T[]> {
  const canonical = items.flatMap((f) => f.records.filter((r) => r.platform === platform && r.canonicalId).map((r) => r.canonicalId!));
  const natives = await platformIdsOf(db, platform, canonical);
  return items.map((f) => ({
    ...f,
    records: f.records.map((r) =>
      r.platform === platform && r.canonicalId && natives.has(r.canonicalId) ? { ...r, id: natives.get(r.canonicalId)! } : r,
    ),
  }));
}
