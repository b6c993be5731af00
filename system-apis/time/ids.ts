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

/** Which of these canonical ids name no record of the entity type on the time platform. */
export async function unknownIds(db: DbExecutor, entity: TimeEntity, canonicalIds: readonly string[]): Promise<string[]> {
  const known = await timeIds(db).known(entity, canonicalIds);
  return canonicalIds.filter((id) => !known.has(id));
}
