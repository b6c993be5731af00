// The ERP's binding to the layer's one cross-reference lookup (core/xref): its platform name
// and entity types. A NetSuite record the layer created carries its canonical id as its
// external id (or custentity_canonical_id), passed as the adopt hint when the link is missing.
import { CrossReferences, textIds } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';

export const PLATFORM = 'erp';
export type ErpEntity = 'legal-entity' | 'client' | 'engagement' | 'invoice' | 'invoice-line' | 'payment' | 'rate-card' | 'milestone';

export type ErpIds = CrossReferences<ErpEntity, string>;

export function erpIds(db: DbExecutor): ErpIds {
  return new CrossReferences<ErpEntity, string>(db, { platform: PLATFORM, nativeIds: textIds });
}
