// The sandbox org's object metadata: each field's type, whether the API may write it,
// and picklist values. Writes, reads and SOQL are all checked against it.
import type { SObjectName } from './ids.js';

export type FieldType =
  'id' | 'string' | 'currency' | 'percent' | 'date' | 'datetime' | 'boolean' | 'reference' | 'picklist' | 'url' | 'email' | 'phone';

export interface FieldSpec {
  type: FieldType;
  /** System-computed fields (Id, timestamps, IsWon) cannot be set through the API. */
  writable: boolean;
  required?: boolean;
  /** External-id fields can address records in upserts. */
  externalId?: boolean;
  picklist?: readonly string[];
  references?: SObjectName;
  /** For a reference field, the name SOQL uses to reach the parent's fields (`Account.Name`). */
  relationshipName?: string;
  maxLength?: number;
}

const sys = (type: FieldType): FieldSpec => ({ type, writable: false });
const text = (maxLength = 255, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'string', writable: true, maxLength, ...extra });
const of = (type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type, writable: true, ...extra });

export const STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
] as const;
/** Default probability and closed/won flags per stage, as a standard sales process sets them. */
export const STAGE_RULES: Record<string, { probability: number; closed: boolean; won: boolean }> = {
  Prospecting: { probability: 10, closed: false, won: false },
  Qualification: { probability: 20, closed: false, won: false },
  'Needs Analysis': { probability: 40, closed: false, won: false },
  'Proposal/Price Quote': { probability: 60, closed: false, won: false },
  'Negotiation/Review': { probability: 80, closed: false, won: false },
  'Closed Won': { probability: 100, closed: true, won: true },
  'Closed Lost': { probability: 0, closed: true, won: false },
};
export const CURRENCIES = ['EUR', 'GBP', 'USD', 'JPY', 'CHF', 'KWD', 'BHD'] as const;
const BILLING_STATUSES = ['Not Invoiced', 'Invoiced', 'Partially Paid', 'Paid', 'Overdue', 'On Hold'] as const;
const INVOICE_STATUSES = ['Draft', 'Posted', 'Paid', 'On Hold', 'Cancelled'] as const;

const SYSTEM = {
  Id: sys('id'),
  IsDeleted: sys('boolean'),
  CreatedDate: sys('datetime'),
  LastModifiedDate: sys('datetime'),
  SystemModstamp: sys('datetime'),
} satisfies Record<string, FieldSpec>;

export const OBJECTS: Record<SObjectName, Record<string, FieldSpec>> = {
  Account: {
    ...SYSTEM,
    Name: text(255, { required: true }),
    Website: of('url', { maxLength: 255 }),
    Phone: of('phone', { maxLength: 40 }),
    Industry: text(40),
    BillingCity: text(40),
    BillingCountry: text(80),
    BillingCountryCode: text(2),
    CurrencyIsoCode: of('picklist', { picklist: CURRENCIES }),
    Tax_Id__c: text(32),
    External_Id__c: text(64, { externalId: true }),
    ERP_Customer_Id__c: text(64, { externalId: true }),
    Billing_Status__c: of('picklist', { picklist: BILLING_STATUSES }),
    Invoice_Status__c: of('picklist', { picklist: INVOICE_STATUSES }),
    Outstanding_Amount__c: of('currency'),
  },
  Contact: {
    ...SYSTEM,
    AccountId: of('reference', { references: 'Account', relationshipName: 'Account' }),
    /** Compound name, computed from FirstName and LastName. */
    Name: sys('string'),
    FirstName: text(40),
    LastName: text(80, { required: true }),
    Email: of('email', { maxLength: 80 }),
    Phone: of('phone', { maxLength: 40 }),
    Title: text(128),
    External_Id__c: text(64, { externalId: true }),
  },
  Opportunity: {
    ...SYSTEM,
    Name: text(120, { required: true }),
    AccountId: of('reference', { references: 'Account', relationshipName: 'Account' }),
    StageName: of('picklist', { required: true, picklist: STAGES }),
    Amount: of('currency'),
    CurrencyIsoCode: of('picklist', { picklist: CURRENCIES }),
    CloseDate: of('date', { required: true }),
    Probability: of('percent'),
    IsClosed: sys('boolean'),
    IsWon: sys('boolean'),
    Description: text(32000),
    Billing_Model__c: of('picklist', { picklist: ['Time and Materials', 'Fixed Fee', 'Milestone'] }),
    Start_Date__c: of('date'),
    End_Date__c: of('date'),
    Legal_Entity_Country__c: text(2),
    Rate_Card__c: text(40),
    External_Id__c: text(64, { externalId: true }),
    ERP_Project_Id__c: text(64, { externalId: true }),
    ERP_Project_Status__c: of('picklist', { picklist: ['Pending', 'Provisioned', 'Active', 'Closed', 'Failed'] }),
    Billing_Status__c: of('picklist', { picklist: BILLING_STATUSES }),
    Invoice_Status__c: of('picklist', { picklist: INVOICE_STATUSES }),
  },
};

export function isObjectName(value: string): value is SObjectName {
  return Object.prototype.hasOwnProperty.call(OBJECTS, value);
}

/** Field names are case-insensitive in Salesforce; this finds the declared spelling. */
export function fieldName(object: SObjectName, name: string): string | undefined {
  const fields = OBJECTS[object];
  if (Object.prototype.hasOwnProperty.call(fields, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

/** The parent object and its field a relationship path (`Account.Name`) names, in declared spelling. */
export function relationshipField(
  object: SObjectName,
  relationship: string,
  name: string,
): { referenceField: string; relationship: string; parent: SObjectName; field: string } | undefined {
  const lower = relationship.toLowerCase();
  const entry = Object.entries(OBJECTS[object]).find(([, spec]) => spec.relationshipName?.toLowerCase() === lower);
  if (!entry || !entry[1].references || !entry[1].relationshipName) return undefined;
  const parent = entry[1].references;
  const field = fieldName(parent, name);
  return field ? { referenceField: entry[0], relationship: entry[1].relationshipName, parent, field } : undefined;
}
