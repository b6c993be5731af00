// The NetSuite records as this sandbox stores and serves them (REST record service v1, SuiteQL,
// error bodies), written from NetSuite's REST web services documentation and not from the
// ERP connector, so that a connector that reads or writes a field wrongly fails its tests.

export interface NsLink {
  rel: string;
  href: string;
}

/** A reference field: the internal id, the display name on reads, links when expanded. */
export interface NsRef {
  id: string;
  refName?: string;
  links?: NsLink[];
}

/** A sublist (invoice lines, payment applications) is an object holding `items`. */
export interface NsSublist<T> {
  items: T[];
  links?: NsLink[];
  count?: number;
  hasMore?: boolean;
  offset?: number;
  totalResults?: number;
}

/** What every record carries: internal id, optional external id, creation and change times. */
export interface NsRecordBase {
  id: string;
  externalId?: string;
  links?: NsLink[];
  dateCreated?: string;
  lastModifiedDate?: string;
}

export interface NsCurrency extends NsRecordBase {
  name: string;
  /** The ISO 4217 code NetSuite shows as the currency's symbol. */
  symbol: string;
  currencyPrecision: number;
  isBaseCurrency?: boolean;
  isInactive?: boolean;
}

export interface NsSubsidiary extends NsRecordBase {
  name: string;
  legalName?: string;
  country: string;
  currency: NsRef;
  isInactive?: boolean;
  federalIdNumber?: string;
  tranPrefix?: string;
  custrecord_tax_rules_ref?: string;
}

export interface NsCustomer extends NsRecordBase {
  entityId: string;
  companyName: string;
  isPerson?: boolean;
  subsidiary: NsRef;
  currency: NsRef;
  email?: string;
  url?: string;
  vatRegNumber?: string;
  custentity_billing_country?: string;
  isInactive?: boolean;
  custentity_canonical_id?: string;
}

/** A project (record type `job`); its billing type is one of Advanced Projects' list. */
export interface NsJob extends NsRecordBase {
  entityId: string;
  companyName: string;
  parent: NsRef;
  subsidiary: NsRef;
  currency: NsRef;
  jobBillingType: NsRef;
  entityStatus: NsRef;
  startDate?: string;
  projectedEndDate?: string;
  estimatedRevenue?: number;
  custentity_rate_card?: NsRef;
  custentity_canonical_id?: string;
  custentity_billing_hold?: boolean;
  custentity_opportunity_id?: string;
}

export interface NsInvoiceLine {
  line?: number;
  item: NsRef;
  description?: string;
  quantity: number;
  rate: number;
  amount?: number;
  taxRate1?: number;
  tax1Amt?: number;
  custcol_role?: string;
  custcol_source_refs?: string;
}

/** The letter after `CustInvc:` in a transaction status filter. */
export type NsInvoiceStatusId = 'A' | 'B' | 'D' | 'E' | 'V';
/** Transaction approval status list: 1 Pending Approval, 2 Approved, 3 Rejected. */
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
  subtotal?: number;
  taxTotal?: number;
  total: number;
  amountRemaining: number;
  amountPaid?: number;
  status: NsRef & { id: NsInvoiceStatusId };
  approvalStatus: NsRef & { id: NsApprovalStatusId };
  memo?: string;
  custbody_billing_hold?: boolean;
  custbody_hold_reason?: string;
  custbody_period_start?: string;
  custbody_period_end?: string;
}

/** One line of a payment's `apply` sublist: which invoice, whether applied, and how much. */
export interface NsPaymentApplication {
  doc: NsRef;
  apply: boolean;
  amount: number;
  line?: number;
  due?: number;
  refNum?: string;
}

export interface NsCustomerPayment extends NsRecordBase {
  tranId?: string;
  tranDate: string;
  customer: NsRef;
  subsidiary?: NsRef;
  currency: NsRef;
  payment: number;
  applied?: number;
  unapplied?: number;
  apply: NsSublist<NsPaymentApplication>;
  paymentMethod?: NsRef;
  checkNum?: string;
  memo?: string;
}

/** Credit memo status after `CustCred:`: A Open (credit left to apply), B Fully Applied. */
export type NsCreditMemoStatusId = 'A' | 'B';

/** A credit memo: lines like an invoice's, and an `apply` sublist of the invoices it credits. */
export interface NsCreditMemo extends NsRecordBase {
  tranId: string;
  tranDate: string;
  entity: NsRef;
  job?: NsRef;
  subsidiary: NsRef;
  currency: NsRef;
  /** The invoice it was created from, when it was. */
  createdFrom?: NsRef;
  item: NsSublist<NsInvoiceLine>;
  apply: NsSublist<NsPaymentApplication>;
  subtotal?: number;
  taxTotal?: number;
  total: number;
  applied: number;
  unapplied: number;
  status: NsRef & { id: NsCreditMemoStatusId };
  memo?: string;
}

/** One line of a refund's `apply` sublist: a credit memo or a payment whose unapplied amount goes back. */
export interface NsRefundApplication extends NsPaymentApplication {
  /** The applied document's transaction type as the sublist shows it. */
  type?: 'Credit Memo' | 'Payment';
}

/** A customer refund: money returned against unapplied credit (credit memos, payments). */
export interface NsCustomerRefund extends NsRecordBase {
  tranId: string;
  tranDate: string;
  customer: NsRef;
  subsidiary?: NsRef;
  currency: NsRef;
  total: number;
  apply: NsSublist<NsRefundApplication>;
  paymentMethod?: NsRef;
  memo?: string;
}

/** The account's custom rate card record; the rates are a JSON array in a long-text field. */
export interface NsRateCard extends NsRecordBase {
  name: string;
  custrecord_rc_subsidiary: NsRef;
  custrecord_rc_currency: NsRef;
  custrecord_rc_effective_from: string;
  custrecord_rc_effective_to?: string;
  custrecord_rc_rates: string;
  custrecord_rc_customer?: NsRef;
  custrecord_rc_status?: NsRef;
}

/** A project task; the account's custom `custevent_ms_*` fields make it a billing milestone. */
export interface NsProjectTask extends NsRecordBase {
  project: NsRef;
  title: string;
  status: NsRef & { id: 'NOTSTART' | 'PROGRESS' | 'COMPLETE' };
  startDate?: string;
  finishByDate?: string;
  custevent_ms_amount?: number;
  custevent_ms_completed_on?: string;
  custevent_ms_invoice?: NsRef;
}

/** One entry of `o:errorDetails`: the message, NetSuite's error code, and where the fault was. */
export interface NsErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
  'o:errorQueryParam'?: string;
  'o:errorHeader'?: string;
  'o:errorUrl'?: string;
}

/** The body of every REST web services error: type, title and status, then the details. */
export interface NsError {
  type: string;
  title: string;
  status: number;
  'o:errorDetails': NsErrorDetail[];
}
