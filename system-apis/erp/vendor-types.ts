// NetSuite REST web services payload shapes for the subset the layer uses (record API
// v1, SuiteQL query API v1, OAuth 2.0 token endpoint). Only this folder and the ERP
// sandbox know these names; everything above the system API sees the canonical model.

/** A reference to another record: `{ id, refName }` plus HATEOAS links on reads. */
export interface NsRef {
  id: string;
  refName?: string;
  links?: NsLink[];
}

export interface NsLink {
  rel: string;
  href: string;
}

/** Sublists (e.g. invoice lines) are wrapped as `{ items: [...] }`. */
export interface NsSublist<T> {
  items: T[];
  links?: NsLink[];
  count?: number;
  hasMore?: boolean;
  offset?: number;
  totalResults?: number;
}

/** Fields every record read carries. Dates are `YYYY-MM-DD`; timestamps RFC 3339 UTC. */
export interface NsRecordBase {
  id: string;
  externalId?: string;
  links?: NsLink[];
  dateCreated?: string;
  lastModifiedDate?: string;
}

export interface NsSubsidiary extends NsRecordBase {
  name: string;
  legalName?: string;
  /** ISO 3166-1 alpha-2, e.g. `GB`. */
  country: string;
  currency: NsRef;
  isInactive?: boolean;
  /** Tax registration of the entity (VAT number, EIN). */
  federalIdNumber?: string;
  /** Transaction number prefix of the subsidiary, e.g. `NW-DE`; serves as the entity code. */
  tranPrefix?: string;
  /** Custom field: the regional tax rules set applied to this entity's invoices. */
  custrecord_tax_rules_ref?: string;
}

export interface NsCurrency extends NsRecordBase {
  name: string;
  /** ISO 4217 code. */
  symbol: string;
  /** Decimal places the account allows for the currency. */
  currencyPrecision: number;
  isBaseCurrency?: boolean;
  isInactive?: boolean;
}

export interface NsCustomer extends NsRecordBase {
  entityId: string;
  companyName: string;
  isPerson?: boolean;
  subsidiary: NsRef;
  currency: NsRef;
  email?: string;
  /** Web address, e.g. `https://acme.example`. */
  url?: string;
  /** Tax registration (VAT/EIN). */
  vatRegNumber?: string;
  /** ISO 3166-1 alpha-2 of the billing address. */
  custentity_billing_country?: string;
  isInactive?: boolean;
  /** Set by the layer: the canonical client id. */
  custentity_canonical_id?: string;
}

/** NetSuite project billing types (Advanced Projects). */
export type NsJobBillingTypeId = 'TM' | 'FBI' | 'FBM' | 'CB';

export interface NsJob extends NsRecordBase {
  entityId: string;
  companyName: string;
  /** The customer the project belongs to. */
  parent: NsRef;
  subsidiary: NsRef;
  currency: NsRef;
  jobBillingType: NsRef & { id: NsJobBillingTypeId };
  /** Project status (a configurable list): `4` Pending, `2` In Progress, `5` On Hold, `1` Closed, `3` Not Awarded. */
  entityStatus: NsRef;
  startDate?: string;
  projectedEndDate?: string;
  /** Budget (estimated revenue) in the project currency. */
  estimatedRevenue?: number;
  /** Rate card custom record the project is billed with. */
  custentity_rate_card?: NsRef;
  custentity_canonical_id?: string;
  /** Custom field: while true, approved time waits instead of being invoiced. */
  custentity_billing_hold?: boolean;
  /** Custom field: canonical id of the CRM opportunity the project was won from. */
  custentity_opportunity_id?: string;
}

export interface NsInvoiceLine {
  line?: number;
  item: NsRef;
  description?: string;
  quantity: number;
  rate: number;
  amount: number;
  /** Tax rate in percent (legacy tax), e.g. 19.0, and the line's tax amount. */
  taxRate1?: number;
  tax1Amt?: number;
  /** Custom column: the role code billed on a time line. */
  custcol_role?: string;
  /** Custom column (long text, JSON): what the line bills, `[{ "kind": "time-entry", "id": "<uuid>" }]`. */
  custcol_source_refs?: string;
}

/** Invoice status ids as SuiteQL/saved searches name them (CustInvc:<id>). */
export type NsInvoiceStatusId = 'A' | 'B' | 'D' | 'E' | 'V';
/** Approval status ids: 1 Pending Approval, 2 Approved, 3 Rejected. */
export type NsApprovalStatusId = '1' | '2' | '3';

export interface NsInvoice extends NsRecordBase {
  tranId: string;
  tranDate: string;
  dueDate?: string;
  entity: NsRef;
  job?: NsRef;
  subsidiary: NsRef;
  currency: NsRef;
  item: NsSublist<NsInvoiceLine>;
  /** Net of tax; `total` = subtotal + taxTotal. */
  subtotal?: number;
  taxTotal?: number;
  total: number;
  amountRemaining: number;
  amountPaid?: number;
  status: NsRef & { id: NsInvoiceStatusId };
  approvalStatus: NsRef & { id: NsApprovalStatusId };
  memo?: string;
  /** Custom body field: billing hold (no dunning, no posting while set), and why. */
  custbody_billing_hold?: boolean;
  custbody_hold_reason?: string;
  /** Custom body fields: the billing period the invoice covers. */
  custbody_period_start?: string;
  custbody_period_end?: string;
}

export interface NsPaymentApplication {
  doc: NsRef;
  apply: boolean;
  amount: number;
  line?: number;
  /** Read-only on reads: the invoice's amount due before this payment. */
  due?: number;
  refNum?: string;
}

export interface NsCustomerPayment extends NsRecordBase {
  tranId?: string;
  tranDate: string;
  customer: NsRef;
  subsidiary?: NsRef;
  currency: NsRef;
  /** Payment amount received. */
  payment: number;
  applied?: number;
  unapplied?: number;
  apply: NsSublist<NsPaymentApplication>;
  /** Payment method list: 1 Bank Transfer, 2 Card, 3 Direct Debit, 4 Other. */
  paymentMethod?: NsRef;
  /** "Check # / reference": the payer's remittance reference. */
  checkNum?: string;
  memo?: string;
}

/** Custom record `customrecord_rate_card`: NetSuite has no native rate card fit for this. */
export interface NsRateCard extends NsRecordBase {
  name: string;
  custrecord_rc_subsidiary: NsRef;
  custrecord_rc_currency: NsRef;
  custrecord_rc_effective_from: string;
  custrecord_rc_effective_to?: string;
  /** Long-text field holding JSON: `[{ "role": "consultant", "rate": 150.0 }]`. */
  custrecord_rc_rates: string;
  /** Set when the card is negotiated for one customer. */
  custrecord_rc_customer?: NsRef;
  /** Custom list: 1 Draft, 2 Active, 3 Superseded. */
  custrecord_rc_status?: NsRef;
}

/** Project task status ids (`NOTSTART` Not Started, `PROGRESS` In Progress, `COMPLETE` Completed). */
export type NsProjectTaskStatusId = 'NOTSTART' | 'PROGRESS' | 'COMPLETE';

/**
 * A project task (REST record `projectTask`), used here as a billing milestone: a task marked
 * as milestone (the `ismilestone` column; the REST record does not expose the flag, so it is
 * read through SuiteQL) whose custom fields carry the fee due when it is completed. The fee is
 * in the project's currency, as on a Fixed Bid, Milestone billing schedule.
 */
export interface NsProjectTask extends NsRecordBase {
  /** The project (job) the task belongs to. */
  project: NsRef;
  title: string;
  status: NsRef & { id: NsProjectTaskStatusId };
  startDate?: string;
  /** The date the task should be finished by (the planned milestone date). */
  finishByDate?: string;
  /** Custom field (currency): the fee billed when the milestone is completed, in the project currency. */
  custevent_ms_amount?: number;
  /** Custom field (date): the day the milestone was completed. */
  custevent_ms_completed_on?: string;
  /** Custom field (transaction): the invoice that billed the milestone. */
  custevent_ms_invoice?: NsRef;
}

/** Collection answer of `GET /record/v1/{type}` (items carry only links and id). */
export interface NsCollection {
  links: NsLink[];
  count: number;
  hasMore: boolean;
  items: Array<{ id: string; links: NsLink[] }>;
  offset: number;
  totalResults: number;
}

/** SuiteQL answer: rows of strings keyed by lower-case column name. */
export interface NsQueryResult<Row = Record<string, string | null>> {
  links: NsLink[];
  count: number;
  hasMore: boolean;
  items: Array<Row & { links: NsLink[] }>;
  offset: number;
  totalResults: number;
}

export interface NsErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
  'o:errorQueryParam'?: string;
  'o:errorHeader'?: string;
  'o:errorUrl'?: string;
}

/** Every error answer of REST web services (an RFC 9457 body with vendor extensions). */
export interface NsError {
  type: string;
  title: string;
  status: number;
  'o:errorDetails': NsErrorDetail[];
}

export interface NsTokenResponse {
  access_token: string;
  token_type: 'bearer' | 'Bearer';
  expires_in: number;
}

export type NsRecordType =
  | 'customer'
  | 'job'
  | 'invoice'
  | 'customerPayment'
  | 'creditMemo'
  | 'customerRefund'
  | 'subsidiary'
  | 'currency'
  | 'customrecord_rate_card'
  | 'projectTask';

/** What the billing feed reads of a credit memo or customer refund: the documents it applies to. */
export interface NsApplyingDocument {
  id: string;
  apply?: { items: Array<{ doc?: { id: string }; apply?: boolean; type?: string }> };
}
