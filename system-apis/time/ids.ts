// The time platform's binding to the layer's one cross-reference lookup (core/xref): its
// platform name and entity types. Harvest ids are numbers. Create one per call: its memo
// makes a page of entries by few people cost few lookups.
import { CrossReferences, numericIds } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';

export const PLATFORM = 'time';
export type TimeEntity = 'time-entry' | 'expense' | 'resource' | 'engagement';

export type TimeIds = CrossReferences<TimeEntity, number>;

export function timeIds(db: DbExecutor): TimeIds {
  return new CrossReferences<TimeEntity, number>(db, { platform: PLATFORM, nativeIds: numericIds, memo: true });
}

/**
 * Which of these canonical ids name no record of the entity type on the time platform (one query per
 * 500). It selects by canonical id alone so that the primary key serves it: with the platform and
 * entity type in the WHERE clause SQLite picks the (platform, entity_type, native_id) index and
 * reads every record of the type.
 */
export async function unknownIds(db: DbExecutor, entity: TimeEntity, canonicalIds: readonly string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let i = 0; i < canonicalIds.length; i += 500) {
    const rows = await db
      .selectFrom('xref')
      .select(['canonical_id', 'platform', 'entity_type'])
      .where('canonical_id', 'in', canonicalIds.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r.platform === PLATFORM && r.entity_type === entity) known.add(r.canonical_id);
  }
  return canonicalIds.filter((id) => !known.has(id));
}
