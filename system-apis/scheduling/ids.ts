// Canonical ids of scheduling records through the cross-reference store, always checked
// against the entity type: a resource id sent where an engagement id belongs finds nothing.
import { getOrCreateCanonical, link } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';

export const PLATFORM = 'scheduling';
export type SchedulingEntity = 'resource' | 'engagement' | 'assignment' | 'staffing-request';

export class SchedulingIds {
  constructor(private readonly db: DbExecutor) {}

  /** The canonical id of a platform record, created on first sight. */
  async canonical(entity: SchedulingEntity, nativeId: number): Promise<string> {
    return (await getOrCreateCanonical(this.db, PLATFORM, entity, String(nativeId))).canonicalId;
  }

  /** The canonical id if the record was ever linked, without creating one. */
  async existing(entity: SchedulingEntity, nativeId: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('xref')
      .select('canonical_id')
      .where('platform', '=', PLATFORM)
      .where('entity_type', '=', entity)
      .where('native_id', '=', String(nativeId))
      .executeTakeFirst();
    return row?.canonical_id;
  }

  /** The platform id of a canonical id of the given entity type, or undefined. */
  async native(entity: SchedulingEntity, canonicalId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('xref')
      .select('native_id')
      .where('canonical_id', '=', canonicalId)
      .where('platform', '=', PLATFORM)
      .where('entity_type', '=', entity)
      .executeTakeFirst();
    return row ? Number(row.native_id) : undefined;
  }

  /** Links a canonical id to a platform record; pass the transaction when it belongs to one. */
  link(entity: SchedulingEntity, canonicalId: string, nativeId: number, db: DbExecutor = this.db): Promise<void> {
    return link(db, { canonicalId, entityType: entity, platform: PLATFORM, nativeId: String(nativeId) });
  }
}
