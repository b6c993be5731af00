// The SOQL the CRM system API sends: field lists per object and list queries with keyset
// paging (`Id > last ORDER BY Id`), so that pages stay stable while records change.
import { soqlString } from './connector.js';
import type { SObjectType } from './vendor-types.js';

export const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'Website',
  'Phone',
  'Industry',
  'BillingCountry',
  'BillingCountryCode',
  'CurrencyIsoCode',
  'Tax_Id__c',
  'External_Id__c',
  'Billing_Status__c',
  'Invoice_Status__c',
  'Outstanding_Amount__c',
  'CreatedDate',
  'LastModifiedDate',
] as const;

export const CONTACT_FIELDS = [
  'Id',
  'AccountId',
  'FirstName',
  'LastName',
  'Email',
  'Phone',
  'Title',
  'External_Id__c',
  'CreatedDate',
  'LastModifiedDate',
] as const;

export const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'AccountId',
  'StageName',
  'Amount',
  'CurrencyIsoCode',
  'CloseDate',
  'Probability',
  'IsClosed',
  'IsWon',
  'Billing_Model__c',
  'Start_Date__c',
  'End_Date__c',
  'Legal_Entity_Country__c',
  'Rate_Card__c',
  'External_Id__c',
  'ERP_Project_Id__c',
  'ERP_Project_Status__c',
  'Billing_Status__c',
  'Invoice_Status__c',
  'CreatedDate',
  'LastModifiedDate',
] as const;

/**
 * Read with contacts and opportunities in list queries: the parent account's canonical id
 * (External_Id__c) through the relationship, so an account not yet linked is linked to the id
 * it carries without one account read per record.
 */
export const PARENT_ACCOUNT_FIELDS = ['Account.External_Id__c'] as const;

/** A SOQL condition; values are always literals built here, never caller text spliced in. */
export type Condition =
  | { field: string; op: '=' | '!=' | '>' | '>=' | 'LIKE'; value: string; kind?: 'string' | 'datetime' }
  | { field: string; op: 'IN' | 'NOT IN'; values: string[] };

function literal(value: string, kind: 'string' | 'datetime' = 'string'): string {
  if (kind === 'datetime') {
    // SOQL datetime literals are unquoted and take whole seconds in UTC.
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${value}`);
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  return soqlString(value);
}

export function listQuery(
  object: SObjectType,
  fields: readonly string[],
  conditions: Condition[],
  afterId: string | undefined,
  limit: number,
): string {
  const where = [...conditions];
  if (afterId) where.push({ field: 'Id', op: '>', value: afterId });
  const clauses = where.map((c) =>
    'values' in c ? `${c.field} ${c.op} (${c.values.map((v) => literal(v)).join(', ')})` : `${c.field} ${c.op} ${literal(c.value, c.kind)}`,
  );
  return `SELECT ${fields.join(', ')} FROM ${object}${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY Id LIMIT ${limit}`;
}
