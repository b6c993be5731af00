// The canonical CRM resources (clients, contacts, opportunities with contract terms) as
// TypeScript types. They mirror the schemas of openapi/system/crm.v1.yaml; the service
// checks at compile time that the generated contract types accept them.
import type { Money } from '../../core/money.js';

export type { Money } from '../../core/money.js';

export type BillingStatus = 'not-invoiced' | 'invoiced' | 'partially-paid' | 'paid' | 'overdue' | 'on-hold';
export type InvoiceStatus = 'draft' | 'posted' | 'paid' | 'on-hold' | 'cancelled';
export type ErpProjectStatus = 'pending' | 'provisioned' | 'active' | 'closed' | 'failed';
export type BillingModel = 'time-and-materials' | 'fixed-fee' | 'milestone';
/** `open` stands for an open stage of a custom sales process that has no canonical name. */
export type OpportunityStage =
  | 'prospecting'
  | 'qualification'
  | 'needs-analysis'
  | 'proposal'
  | 'negotiation'
  | 'open'
  | 'closed-won'
  | 'closed-lost';

export interface ClientBilling {
  status: BillingStatus | null;
  invoiceStatus: InvoiceStatus | null;
  outstanding: Money | null;
}

export interface Client {
  id: string;
  name: string;
  website: string | null;
  /** Registrable domain from the website, lower case, without `www.`: one of the client matching keys. */
  domain: string | null;
  /** ISO 3166-1 alpha-2. */
  billingCountry: string | null;
  taxId: string | null;
  industry: string | null;
  phone: string | null;
  defaultCurrency: string | null;
  /** CRM accounts have no lifecycle of their own: every account the CRM returns is active. */
  status: 'active';
  billing: ClientBilling;
  createdAt: string;
  updatedAt: string;
}

export interface Contact {
  id: string;
  clientId: string | null;
  givenName: string | null;
  familyName: string;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContractTerms {
  billingModel: BillingModel | null;
  startDate: string | null;
  endDate: string | null;
  /** ISO 3166-1 alpha-2 country of the contracting legal entity. */
  legalEntityCountry: string | null;
  rateCardCode: string | null;
}

export interface ErpProjectLink {
  projectId: string;
  status: ErpProjectStatus;
}

export interface Opportunity {
  id: string;
  clientId: string | null;
  name: string;
  stage: OpportunityStage;
  /** The CRM's own stage label, for display. */
  stageLabel: string;
  isClosed: boolean;
  isWon: boolean;
  amount: Money | null;
  closeDate: string;
  probability: number | null;
  contractTerms: ContractTerms;
  erpProject: ErpProjectLink | null;
  billing: { status: BillingStatus | null; invoiceStatus: InvoiceStatus | null };
  createdAt: string;
  updatedAt: string;
}

// Write inputs: what a caller may set. Fields the CRM owns alone (ids, timestamps,
// IsClosed/IsWon) are not writable; the journeys' write-backs have their own inputs.
export interface ClientInput {
  name: string;
  website?: string | null;
  billingCountry?: string | null;
  taxId?: string | null;
  industry?: string | null;
  phone?: string | null;
  defaultCurrency?: string | null;
}
export type ClientPatch = Partial<ClientInput>;

export interface ContactInput {
  clientId?: string | null;
  givenName?: string | null;
  familyName: string;
  email?: string | null;
  phone?: string | null;
  jobTitle?: string | null;
}
export type ContactPatch = Partial<ContactInput>;

export interface OpportunityInput {
  clientId: string;
  name: string;
  stage: Exclude<OpportunityStage, 'open'>;
  amount?: Money | null;
  closeDate: string;
  probability?: number | null;
  contractTerms?: Partial<ContractTerms>;
}
export type OpportunityPatch = Partial<OpportunityInput>;

export interface ClientBillingUpdate {
  status: BillingStatus;
  invoiceStatus?: InvoiceStatus | null;
  outstanding?: Money | null;
}

export interface OpportunityBillingUpdate {
  status: BillingStatus;
  invoiceStatus?: InvoiceStatus | null;
}
