// Canonical ids of time records through the cross-reference store, checked against the
// entity type, with a per-call memo so a page of entries by few people costs few lookups.
import { getOrCreateCanonical, link } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';

export const PLATFORM = 'time';
export type TimeEntity = 'time-entry' | 'expense' | 'resource' | 'engagement';

export class TimeIds {
  private readonly memo = new Map<string, Promise<string>>();

  constructor(private readonly db: DbExecutor) {}

  /** The canonical id of a platform record, created on first sight. */
  canonical(entity: TimeEntity, nativeId: number): Promise<string> {
    const key = `${entity}:${nativeId}`;
    let id = this.memo.get(key);
    if (!id) {
      id = getOrCreateCanonical(this.db, PLATFORM, entity, String(nativeId)).then((r) => r.canonicalId);
      // A failed lookup is not remembered: the next call tries again.
      id.catch(() => this.memo.delete(key));
      this.memo.set(key, id);
    }
    return id;
  }

  link(entity: TimeEntity, canonicalId: string, nativeId: number): Promise<void> {
    return link(this.db, { canonicalId, entityType: entity, platform: PLATFORM, nativeId: String(nativeId) });
  }

  /** The platform id of a canonical id of the given entity type, or undefined. */
  async native(entity: TimeEntity, canonicalId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('xref')
      .select('native_id')
      .where('canonical_id', '=', canonicalId)
      .where('platform', '=', PLATFORM)
      .where('entity_type', '=', entity)
      .executeTakeFirst();
    return row ? Number(row.native_id) : undefined;
  }
}
