// Status vocabularies: Salesforce picklist values <-> canonical values, both ways.
import type { SfBillingModel, SfBillingStatus, SfErpProjectStatus, SfInvoiceStatus, SfStageName } from './vendor-types.js';
import type { BillingModel, BillingStatus, ErpProjectStatus, InvoiceStatus, OpportunityStage } from './model.js';

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
  germany: 'DE', deutschland: 'DE', france: 'FR', 'united kingdom': 'GB', uk: 'GB', 'great britain': 'GB',
  'united states': 'US', usa: 'US', 'united states of america': 'US', netherlands: 'NL', 'the netherlands': 'NL',
  spain: 'ES', italy: 'IT', ireland: 'IE', japan: 'JP', kuwait: 'KW', bahrain: 'BH', switzerland: 'CH',
  austria: 'AT', belgium: 'BE', canada: 'CA', australia: 'AU', singapore: 'SG', india: 'IN', sweden: 'SE',
};
