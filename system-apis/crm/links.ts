// Where a person opens a CRM record: Salesforce's Lightning record page on the org's My Domain
// (`<base>/lightning/r/<sObject>/<id>/view`), the same base the REST API is called on.
import type { SObjectType } from './vendor-types.js';

export interface CrmRecordLink {
  nativeId: string;
  url: string;
}

export function crmRecordUrl(baseUrl: string, type: SObjectType, id: string): string {
  return `${new URL(baseUrl).origin}/lightning/r/${type}/${encodeURIComponent(id)}/view`;
}
