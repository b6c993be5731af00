// Status vocabularies: Salesforce picklist values <-> canonical values, both ways.
import type { SObjectType, SfBillingModel, SfBillingStatus, SfErpProjectStatus, SfInvoiceStatus, SfStageName } from './vendor-types.js';
import type { BillingModel, BillingStatus, ErpProjectStatus, InvoiceStatus, OpportunityStage } from './canonical.js';

function invert<K extends string, V extends string>(map: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<V, K>;
}

export const STAGE_TO_CANONICAL: Record<SfStageName, Exclude<OpportunityStage, 'open'>> = {
  Prospecting: 'prospecting',
  Qualification: 'qualification',
  'Needs Analysis': 'needs-analysis',
  'Proposal/Price Quote': 'proposal',
  'Negotiation/Review': 'negotiation',
  'Closed Won': 'closed-won',
  'Closed Lost': 'closed-lost',
};
export const STAGE_TO_VENDOR = invert(STAGE_TO_CANONICAL);

export const BILLING_STATUS_TO_CANONICAL: Record<SfBillingStatus, BillingStatus> = {
  'Not Invoiced': 'not-invoiced',
  Invoiced: 'invoiced',
  'Partially Paid': 'partially-paid',
  Paid: 'paid',
  Overdue: 'overdue',
  'On Hold': 'on-hold',
};
export const BILLING_STATUS_TO_VENDOR = invert(BILLING_STATUS_TO_CANONICAL);

export const INVOICE_STATUS_TO_CANONICAL: Record<SfInvoiceStatus, InvoiceStatus> = {
  Draft: 'draft',
  Posted: 'posted',
  Paid: 'paid',
  'On Hold': 'on-hold',
  Cancelled: 'cancelled',
};
export const INVOICE_STATUS_TO_VENDOR = invert(INVOICE_STATUS_TO_CANONICAL);

export const BILLING_MODEL_TO_CANONICAL: Record<SfBillingModel, BillingModel> = {
  'Time and Materials': 'time-and-materials',
  'Fixed Fee': 'fixed-fee',
  Milestone: 'milestone',
};
export const BILLING_MODEL_TO_VENDOR = invert(BILLING_MODEL_TO_CANONICAL);

export const ERP_STATUS_TO_CANONICAL: Record<SfErpProjectStatus, ErpProjectStatus> = {
  Pending: 'pending',
  Provisioned: 'provisioned',
  Active: 'active',
  Closed: 'closed',
  Failed: 'failed',
};
export const ERP_STATUS_TO_VENDOR = invert(ERP_STATUS_TO_CANONICAL);

/** Country names a BillingCountry text field commonly holds when picklists are off. */
export const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  germany: 'DE',
  deutschland: 'DE',
  france: 'FR',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  'united states': 'US',
  usa: 'US',
  'united states of america': 'US',
  netherlands: 'NL',
  'the netherlands': 'NL',
  spain: 'ES',
  italy: 'IT',
  ireland: 'IE',
  japan: 'JP',
  kuwait: 'KW',
  bahrain: 'BH',
  switzerland: 'CH',
  austria: 'AT',
  belgium: 'BE',
  canada: 'CA',
  australia: 'AU',
  singapore: 'SG',
  india: 'IN',
  sweden: 'SE',
};

/** Vendor field -> canonical field, per object; fields not listed are not part of the canonical model. */
export const CANONICAL_FIELDS: Record<SObjectType, Record<string, string>> = {
  Account: {
    Name: 'name',
    Website: 'website',
    BillingCountry: 'billingCountry',
    BillingCountryCode: 'billingCountry',
    CurrencyIsoCode: 'defaultCurrency',
    Tax_Id__c: 'taxId',
    Industry: 'industry',
    Phone: 'phone',
    Billing_Status__c: 'billing.status',
    Invoice_Status__c: 'billing.invoiceStatus',
    Outstanding_Amount__c: 'billing.outstanding',
  },
  Contact: { AccountId: 'clientId', FirstName: 'givenName', LastName: 'familyName', Email: 'email', Phone: 'phone', Title: 'jobTitle' },
  Opportunity: {
    Name: 'name',
    AccountId: 'clientId',
    StageName: 'stage',
    IsClosed: 'isClosed',
    IsWon: 'isWon',
    Amount: 'amount',
    CurrencyIsoCode: 'amount',
    CloseDate: 'closeDate',
    Probability: 'probability',
    Billing_Model__c: 'contractTerms.billingModel',
    Start_Date__c: 'contractTerms.startDate',
    End_Date__c: 'contractTerms.endDate',
    Legal_Entity_Country__c: 'contractTerms.legalEntityCountry',
    Rate_Card__c: 'contractTerms.rateCardCode',
    ERP_Project_Id__c: 'erpProject',
    ERP_Project_Status__c: 'erpProject',
    Billing_Status__c: 'billing.status',
    Invoice_Status__c: 'billing.invoiceStatus',
  },
};

/** A vendor field named in a CRM error, as a JSON Pointer into the canonical request ('' when it has none). */
export function canonicalPointer(vendorField: string): string {
  for (const fields of Object.values(CANONICAL_FIELDS)) {
    if (fields[vendorField]) return `/${fields[vendorField].replace(/\./g, '/')}`;
  }
  return '';
}
