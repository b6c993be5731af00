// The CRM's binding to the layer's one cross-reference lookup (core/xref): its platform name,
// its entity types and the sObject each stands for. A record the layer created carries its
// canonical id in External_Id__c, passed as the adopt hint when the link is missing.
import { CrossReferences, textIds } from '../../core/xref/index.js';
import type { DbExecutor } from '../../core/store/index.js';
import type { SObjectType } from './vendor-types.js';

export const PLATFORM = 'crm';
export type CrmEntity = 'client' | 'contact' | 'opportunity';
export const ENTITY_OF: Record<SObjectType, CrmEntity> = { Account: 'client', Contact: 'contact', Opportunity: 'opportunity' };
export const SOBJECT_OF: Record<CrmEntity, SObjectType> = { client: 'Account', contact: 'Contact', opportunity: 'Opportunity' };

export type CrmIds = CrossReferences<CrmEntity, string>;

export function crmIds(db: DbExecutor): CrmIds {
  return new CrossReferences<CrmEntity, string>(db, { platform: PLATFORM, nativeIds: textIds });
}
