// Where a person opens a CRM record: Salesforce's Lightning record page on the org's My Domain
// (`<base>/lightning/r/<sObject>/<id>/view`), the same base the REST API is called on.
import type { RecordLink } from '../kit/record-links.js';
import type { SObjectType } from './vendor-types.js';

/** A record's Salesforce id and its Lightning record page. */
export type CrmRecordLink = RecordLink;

export function crmRecordUrl(baseUrl: string, type: SObjectType, id: string): string {
  return `${new URL(baseUrl).origin}/lightning/r/${type}/${encodeURIComponent(id)}/view`;
}
