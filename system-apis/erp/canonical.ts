// The canonical ERP resources as the system API serves them (the shapes of
// openapi/system/erp.v1.yaml). Money is integer minor units plus ISO 4217 currency.
import type { Money } from '../../core/money.js';

export type { Money };

export interface LegalEntity {
  id: string;
  name: string;
  legalName?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** ISO 4217 functional currency. */
  currency: string;
  /** Key of the regional tax rules set (data kept apart from the global model). */
  taxRulesRef: string;
  taxId?: string;
  active: boolean;
}

export interface RateCardRate {
  role: string;
  hourlyRate: Money;
}

export interface RateCard {
  id: string;
  name: string;
  legalEntityId: string;
  currency: string;
  effectiveFrom: string;
  effectiveTo?: string;
  rates: RateCardRate[];
}

export interface Client {
  id: string;
  name: string;
  legalEntityId: string;
  currency: string;
  domain?: string;
  taxId?: string;
  country?: string;
  email?: string;
  active: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export type BillingModel = 'time-and-materials' | 'fixed-fee' | 'milestone';
export type ProjectStatus = 'pending' | 'active' | 'closed' | 'cancelled';

export interface Project {
  id: string;
  code: string;
  name: string;
  clientId: string;
  legalEntityId: string;
  billingModel: BillingModel;
  currency: string;
  budget?: Money;
  startDate?: string;
  endDate?: string;
  status: ProjectStatus;
  rateCardId?: string;
  createdAt?: string;
  updatedAt?: string;
}

export type InvoiceLineKind = 'time' | 'milestone' | 'expense' | 'other';
export type InvoiceStatus = 'pending-approval' | 'open' | 'partially-paid' | 'paid' | 'rejected' | 'void';

export interface InvoiceLine {
  kind: InvoiceLineKind;
  description?: string;
  /** Units billed (hours for time lines), up to 4 decimal places. */
  quantity: number;
  unitPrice: Money;
  amount: Money;
  /** The caller's reference for what the line bills (time entry or milestone id). */
  sourceRef?: string;
}

export interface Invoice {
  id: string;
  number: string;
  clientId: string;
  projectId?: string;
  legalEntityId: string;
  currency: string;
  issueDate: string;
  dueDate?: string;
  status: InvoiceStatus;
  onHold: boolean;
  lines: InvoiceLine[];
  total: Money;
  amountDue: Money;
  memo?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface PaymentApplication {
  invoiceId: string;
  amount: Money;
}

export interface Payment {
  id: string;
  number?: string;
  clientId: string;
  currency: string;
  amount: Money;
  unapplied: Money;
  receivedDate: string;
  applications: PaymentApplication[];
  memo?: string;
  createdAt?: string;
}
