// The scheduling platform's binding to the layer's one cross-reference lookup (core/xref):
// its platform name and entity types. Float ids are numbers; a resource id sent where an
// engagement id belongs finds nothing, because every lookup is checked against the entity type.
import { CrossReferences, numericIds } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';

export const PLATFORM = 'scheduling';
export type SchedulingEntity = 'resource' | 'engagement' | 'assignment' | 'staffing-request';

export type SchedulingIds = CrossReferences<SchedulingEntity, number>;

export function schedulingIds(db: DbExecutor): SchedulingIds {
  return new CrossReferences<SchedulingEntity, number>(db, { platform: PLATFORM, nativeIds: numericIds });
}
