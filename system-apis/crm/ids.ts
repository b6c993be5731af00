// Canonical ids of CRM records through the cross-reference store. A record the layer
// created carries its canonical id in External_Id__c; that id is adopted when the link
// is missing (e.g. the process stopped between the CRM write and the link).
import { findCanonical, findNative, getOrCreateCanonical, isCanonicalId, link } from '../../core/xref/index.js';
import { isProblemError, ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { SObjectType } from './vendor-types.js';

export const PLATFORM = 'crm';
export type CrmEntity = 'client' | 'contact' | 'opportunity';
export const ENTITY_OF: Record<SObjectType, CrmEntity> = { Account: 'client', Contact: 'contact', Opportunity: 'opportunity' };

export class CrmIds {
  constructor(private readonly store: Store) {}

  /** The canonical id of a CRM record, linking it on first sight. */
  async canonical(entity: CrmEntity, crmId: string, externalId?: string | null): Promise<string> {
    const db = this.store.db;
    const known = await findCanonical(db, PLATFORM, entity, crmId);
    if (known) return known;
    if (externalId && isCanonicalId(externalId)) {
      try {
        await link(db, { canonicalId: externalId, entityType: entity, platform: PLATFORM, nativeId: crmId });
        return externalId;
      } catch (err) {
        // The external id is taken by something else: mint a fresh id instead of failing the read.
        if (!isProblemError(err) || err.type !== 'conflict') throw err;
      }
    }
    return (await getOrCreateCanonical(db, PLATFORM, entity, crmId)).canonicalId;
  }

  /** Canonical ids for many records at once (one lookup per record not yet known is unavoidable). */
  async canonicalMany(entity: CrmEntity, refs: Array<{ crmId: string; externalId?: string | null }>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const unique = [...new Map(refs.map((r) => [r.crmId, r])).values()];
    if (unique.length === 0) return out;
    const rows = await this.store.db
      .selectFrom('xref')
      .select(['native_id', 'canonical_id'])
      .where('platform', '=', PLATFORM)
      .where('entity_type', '=', entity)
      .where(
        'native_id',
        'in',
        unique.map((r) => r.crmId),
      )
      .execute();
    for (const row of rows) out.set(row.native_id, row.canonical_id);
    for (const ref of unique) if (!out.has(ref.crmId)) out.set(ref.crmId, await this.canonical(entity, ref.crmId, ref.externalId));
    return out;
  }

  /** The CRM id of a canonical record, or a 404 naming what was looked for. */
  async native(entity: CrmEntity, canonicalId: string): Promise<string> {
    const crmId = await findNative(this.store.db, canonicalId, PLATFORM);
    if (!crmId) throw new ProblemError('not-found', { detail: `No ${entity} ${canonicalId} in the CRM.` });
    return crmId;
  }

  /** Like native(), for a reference inside a request body: unknown is the caller's data problem (422). */
  async reference(entity: CrmEntity, canonicalId: string, pointer: string): Promise<string> {
    const crmId = await findNative(this.store.db, canonicalId, PLATFORM);
    if (!crmId) {
      throw new ProblemError('unprocessable-content', {
        detail: `The ${entity} ${canonicalId} is not known to the CRM.`,
        errors: [{ pointer, detail: `unknown ${entity}` }],
      });
    }
    return crmId;
  }

  async link(entity: CrmEntity, canonicalId: string, crmId: string): Promise<void> {
    await link(this.store.db, { canonicalId, entityType: entity, platform: PLATFORM, nativeId: crmId });
  }
}
