// Pure mappings between NetSuite record payloads and the canonical ERP resources, both
// ways. Ids are translated through a context the service fills from the xref store first.
import { fromMinorNumber, toMinor } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  BillingModel, Client, Invoice, InvoiceLine, InvoiceLineKind, InvoiceStatus, LegalEntity, Money, Payment,
  Project, ProjectStatus, RateCard,
} from './canonical.js';
import type {
  NsApprovalStatusId, NsCustomer, NsCustomerPayment, NsInvoice, NsInvoiceLine, NsInvoiceStatusId, NsJob,
  NsJobBillingTypeId, NsRateCard, NsRef, NsSubsidiary,
} from './vendor-types.js';

export type ErpEntity = 'legal-entity' | 'client' | 'project' | 'invoice' | 'payment' | 'rate-card';

/** Vendor → canonical lookups, synchronous because the service resolves ids beforehand. */
export interface ToCanonicalContext {
  currencyCode(nsCurrencyId: string): string;
  canonicalId(entity: ErpEntity, nativeId: string): string;
}

/** Canonical → vendor lookups. */
export interface ToVendorContext {
  nsCurrencyId(currencyCode: string): string;
  nativeId(entity: ErpEntity, canonicalId: string): string;
}

// ---- dates, times and amounts --------------------------------------------------------

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A work or document date as `YYYY-MM-DD`; vendor data that is not one is an upstream error. */
export function plainDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = PLAIN_DATE.exec(value);
  const valid = match && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
    new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw upstream(`${field} "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}

/** A vendor timestamp (any RFC 3339 offset) as an RFC 3339 UTC instant. */
export function instant(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw upstream(`${field} "${value}" is not an RFC 3339 timestamp`);
  }
  return new Date(value).toISOString().replace('.000Z', 'Z');
}

/** A vendor decimal amount to minor units; more precision than the currency has is refused. */
export function vendorAmount(value: number | string | undefined, currency: string, field: string): Money {
  try {
    return { amountMinor: toMinor(value ?? 0, currency), currency };
  } catch (err) {
    throw upstream(`${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function canonicalAmount(money: Money, currency: string, field: string): number {
  if (money.currency !== currency) {
    throw new ProblemError('validation-failed', {
      detail: `${field} is in ${money.currency} but the document currency is ${currency}`,
      errors: [{ pointer: `/${field.replace(/\./g, '/')}/currency`, detail: `must be ${currency}` }],
    });
  }
  return fromMinorNumber(money.amountMinor, currency);
}

function upstream(detail: string): ProblemError {
  return new ProblemError('upstream-error', { detail: `ERP returned unusable data: ${detail}`, extensions: { platform: 'erp' } });
}

const ref = (id: string): NsRef => ({ id });

// ---- legal entities and rate cards ------------------------------------------------------

export function subsidiaryToLegalEntity(ns: NsSubsidiary, ctx: ToCanonicalContext): LegalEntity {
  return {
    id: ctx.canonicalId('legal-entity', ns.id),
    name: ns.name,
    ...(ns.legalName ? { legalName: ns.legalName } : {}),
    country: ns.country.toUpperCase(),
    currency: ctx.currencyCode(ns.currency.id),
    taxRulesRef: ns.custrecord_tax_rules_ref ?? `${ns.country.toUpperCase()}-STANDARD`,
    ...(ns.federalIdNumber ? { taxId: ns.federalIdNumber } : {}),
    active: !ns.isInactive,
  };
}

interface NsRateRow { role: string; rate: number | string }

export function rateCardToCanonical(ns: NsRateCard, ctx: ToCanonicalContext): RateCard {
  const currency = ctx.currencyCode(ns.custrecord_rc_currency.id);
  let rows: NsRateRow[];
  try {
    rows = JSON.parse(ns.custrecord_rc_rates) as NsRateRow[];
    if (!Array.isArray(rows)) throw new Error('not an array');
  } catch {
    throw upstream(`rate card ${ns.id} has unreadable rates`);
  }
  return {
    id: ctx.canonicalId('rate-card', ns.id),
    name: ns.name,
    legalEntityId: ctx.canonicalId('legal-entity', ns.custrecord_rc_subsidiary.id),
    currency,
    effectiveFrom: plainDate(ns.custrecord_rc_effective_from, 'effectiveFrom')!,
    ...(ns.custrecord_rc_effective_to ? { effectiveTo: plainDate(ns.custrecord_rc_effective_to, 'effectiveTo') } : {}),
    rates: rows.map((row, i) => ({ role: String(row.role), hourlyRate: vendorAmount(row.rate, currency, `rates[${i}].rate`) })),
  };
}

// ---- clients (customers) ----------------------------------------------------------------

/** What a caller may set on a client (the fields ERP owns for clients). */
export interface ClientInput {
  name: string;
  legalEntityId: string;
  currency: string;
  domain?: string;
  taxId?: string;
  country?: string;
  email?: string;
  active?: boolean;
}

export function customerToClient(ns: NsCustomer, ctx: ToCanonicalContext): Client {
  return {
    id: ctx.canonicalId('client', ns.id),
    name: ns.companyName,
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    currency: ctx.currencyCode(ns.currency.id),
    ...(ns.url ? { domain: domainOf(ns.url) } : {}),
    ...(ns.vatRegNumber ? { taxId: ns.vatRegNumber } : {}),
    ...(ns.custentity_billing_country ? { country: ns.custentity_billing_country.toUpperCase() } : {}),
    ...(ns.email ? { email: ns.email } : {}),
    active: !ns.isInactive,
    ...(ns.dateCreated ? { createdAt: instant(ns.dateCreated, 'dateCreated') } : {}),
    ...(ns.lastModifiedDate ? { updatedAt: instant(ns.lastModifiedDate, 'lastModifiedDate') } : {}),
  };
}

/** The customer body for create/upsert; `entityId` is the client's display code in ERP. */
export function clientToCustomer(input: Partial<ClientInput>, ctx: ToVendorContext, canonicalId?: string): Partial<NsCustomer> {
  const body: Partial<NsCustomer> = {};
  if (input.name !== undefined) {
    body.companyName = input.name;
    body.entityId = input.name;
    body.isPerson = false;
  }
  if (input.legalEntityId !== undefined) body.subsidiary = ref(ctx.nativeId('legal-entity', input.legalEntityId));
  if (input.currency !== undefined) body.currency = ref(ctx.nsCurrencyId(input.currency));
  if (input.domain !== undefined) body.url = `https://${input.domain}`;
  if (input.taxId !== undefined) body.vatRegNumber = input.taxId;
  if (input.country !== undefined) body.custentity_billing_country = input.country;
  if (input.email !== undefined) body.email = input.email;
  if (input.active !== undefined) body.isInactive = !input.active;
  if (canonicalId) body.custentity_canonical_id = canonicalId;
  return body;
}

/** The host of a web address or e-mail, lower case, without `www.`. */
export function domainOf(urlOrHost: string): string {
  let host = urlOrHost.trim().toLowerCase();
  if (host.includes('@')) host = host.slice(host.lastIndexOf('@') + 1);
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0] ?? '';
  return host.replace(/^www\./, '').replace(/\.$/, '');
}

// ---- projects (jobs) ----------------------------------------------------------------------

const BILLING_TYPES: Record<NsJobBillingTypeId, BillingModel> = {
  TM: 'time-and-materials',
  CB: 'time-and-materials', // charge-based projects bill by charge rules, closest to T&M
  FBI: 'fixed-fee',
  FBM: 'milestone',
};
const BILLING_TYPE_IDS: Record<BillingModel, { id: NsJobBillingTypeId; refName: string }> = {
  'time-and-materials': { id: 'TM', refName: 'Time and Materials' },
  'fixed-fee': { id: 'FBI', refName: 'Fixed Bid, Interval' },
  milestone: { id: 'FBM', refName: 'Fixed Bid, Milestone' },
};
const JOB_STATUSES: Record<string, ProjectStatus> = { '1': 'closed', '2': 'active', '3': 'cancelled', '4': 'pending' };
const JOB_STATUS_IDS: Record<ProjectStatus, { id: string; refName: string }> = {
  closed: { id: '1', refName: 'Closed' },
  active: { id: '2', refName: 'In Progress' },
  cancelled: { id: '3', refName: 'Not Awarded' },
  pending: { id: '4', refName: 'Pending' },
};

export function jobToProject(ns: NsJob, ctx: ToCanonicalContext): Project {
  const currency = ctx.currencyCode(ns.currency.id);
  const billingModel = BILLING_TYPES[ns.jobBillingType?.id];
  if (!billingModel) throw upstream(`job ${ns.id} has unknown billing type ${JSON.stringify(ns.jobBillingType?.id)}`);
  const status = JOB_STATUSES[ns.entityStatus?.id];
  if (!status) throw upstream(`job ${ns.id} has unknown status ${JSON.stringify(ns.entityStatus?.id)}`);
  return {
    id: ctx.canonicalId('project', ns.id),
    code: ns.entityId,
    name: ns.companyName,
    clientId: ctx.canonicalId('client', ns.parent.id),
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    billingModel,
    currency,
    ...(ns.estimatedRevenue !== undefined && ns.estimatedRevenue !== null
      ? { budget: vendorAmount(ns.estimatedRevenue, currency, 'estimatedRevenue') }
      : {}),
    ...(ns.startDate ? { startDate: plainDate(ns.startDate, 'startDate') } : {}),
    ...(ns.projectedEndDate ? { endDate: plainDate(ns.projectedEndDate, 'projectedEndDate') } : {}),
    status,
    ...(ns.custentity_rate_card ? { rateCardId: ctx.canonicalId('rate-card', ns.custentity_rate_card.id) } : {}),
    ...(ns.dateCreated ? { createdAt: instant(ns.dateCreated, 'dateCreated') } : {}),
    ...(ns.lastModifiedDate ? { updatedAt: instant(ns.lastModifiedDate, 'lastModifiedDate') } : {}),
  };
}

export interface ProjectInput {
  code: string;
  name: string;
  clientId: string;
  legalEntityId: string;
  billingModel: BillingModel;
  currency: string;
  budget?: Money;
  startDate?: string;
  endDate?: string;
  status?: ProjectStatus;
  rateCardId?: string;
}

export function projectToJob(input: Partial<ProjectInput>, ctx: ToVendorContext, canonicalId?: string): Partial<NsJob> {
  const body: Partial<NsJob> = {};
  if (input.code !== undefined) body.entityId = input.code;
  if (input.name !== undefined) body.companyName = input.name;
  if (input.clientId !== undefined) body.parent = ref(ctx.nativeId('client', input.clientId));
  if (input.legalEntityId !== undefined) body.subsidiary = ref(ctx.nativeId('legal-entity', input.legalEntityId));
  if (input.currency !== undefined) body.currency = ref(ctx.nsCurrencyId(input.currency));
  if (input.billingModel !== undefined) body.jobBillingType = BILLING_TYPE_IDS[input.billingModel];
  if (input.status !== undefined) body.entityStatus = JOB_STATUS_IDS[input.status];
  if (input.budget !== undefined) {
    const currency = input.currency ?? input.budget.currency;
    body.estimatedRevenue = canonicalAmount(input.budget, currency, 'budget');
  }
  if (input.startDate !== undefined) body.startDate = input.startDate;
  if (input.endDate !== undefined) body.projectedEndDate = input.endDate;
  if (input.rateCardId !== undefined) body.custentity_rate_card = ref(ctx.nativeId('rate-card', input.rateCardId));
  if (canonicalId) body.custentity_canonical_id = canonicalId;
  return body;
}

// ---- invoices ---------------------------------------------------------------------------------

/** Service items the sandbox (and a firm's account) bills with, by line kind. */
export const LINE_ITEMS: Record<InvoiceLineKind, NsRef> = {
  time: { id: '1', refName: 'Professional Services' },
  milestone: { id: '2', refName: 'Milestone Fee' },
  expense: { id: '3', refName: 'Billable Expenses' },
  other: { id: '4', refName: 'Other Charges' },
};
const LINE_KINDS = new Map<string, InvoiceLineKind>(Object.entries(LINE_ITEMS).map(([k, v]) => [v.id, k as InvoiceLineKind]));

export const INVOICE_STATUS_NAMES: Record<NsInvoiceStatusId, string> = {
  A: 'Open', B: 'Paid In Full', D: 'Pending Approval', E: 'Rejected', V: 'Voided',
};
export const APPROVAL_STATUS_NAMES: Record<NsApprovalStatusId, string> = { '1': 'Pending Approval', '2': 'Approved', '3': 'Rejected' };

export function invoiceStatus(ns: Pick<NsInvoice, 'status' | 'total' | 'amountRemaining'>, currency: string): InvoiceStatus {
  switch (ns.status?.id) {
    case 'D': return 'pending-approval';
    case 'E': return 'rejected';
    case 'V': return 'void';
    case 'B': return 'paid';
    case 'A': {
      const total = vendorAmount(ns.total, currency, 'total').amountMinor;
      const remaining = vendorAmount(ns.amountRemaining, currency, 'amountRemaining').amountMinor;
      return remaining < total && remaining > 0 ? 'partially-paid' : 'open';
    }
    default: throw upstream(`invoice status ${JSON.stringify(ns.status?.id)} is not known`);
  }
}

/** Quantity has at most 4 decimals; amount = quantity × unit price, rounded half away from zero. */
export function lineAmountMinor(quantity: number, unitPriceMinor: number): number {
  const scaled = Math.round(quantity * 10_000);
  if (Math.abs(scaled - quantity * 10_000) > 1e-6) {
    throw new ProblemError('validation-failed', { detail: `Quantity ${quantity} has more than 4 decimal places` });
  }
  const product = BigInt(scaled) * BigInt(unitPriceMinor);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + 5_000n) / 10_000n;
  return Number(negative ? -rounded : rounded);
}

function lineToCanonical(line: NsInvoiceLine, currency: string, i: number): InvoiceLine {
  return {
    kind: LINE_KINDS.get(line.item?.id) ?? 'other',
    ...(line.description ? { description: line.description } : {}),
    quantity: Number(line.quantity),
    unitPrice: vendorAmount(line.rate, currency, `item.items[${i}].rate`),
    amount: vendorAmount(line.amount, currency, `item.items[${i}].amount`),
    ...(line.custcol_source_ref ? { sourceRef: line.custcol_source_ref } : {}),
  };
}

export function invoiceToCanonical(ns: NsInvoice, ctx: ToCanonicalContext): Invoice {
  const currency = ctx.currencyCode(ns.currency.id);
  return {
    id: ctx.canonicalId('invoice', ns.id),
    number: ns.tranId,
    clientId: ctx.canonicalId('client', ns.entity.id),
    ...(ns.job ? { projectId: ctx.canonicalId('project', ns.job.id) } : {}),
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    currency,
    issueDate: plainDate(ns.tranDate, 'tranDate')!,
    ...(ns.dueDate ? { dueDate: plainDate(ns.dueDate, 'dueDate') } : {}),
    status: invoiceStatus(ns, currency),
    onHold: Boolean(ns.custbody_billing_hold),
    lines: (ns.item?.items ?? []).map((line, i) => lineToCanonical(line, currency, i)),
    total: vendorAmount(ns.total, currency, 'total'),
    amountDue: vendorAmount(ns.amountRemaining, currency, 'amountRemaining'),
    ...(ns.memo ? { memo: ns.memo } : {}),
    ...(ns.dateCreated ? { createdAt: instant(ns.dateCreated, 'dateCreated') } : {}),
    ...(ns.lastModifiedDate ? { updatedAt: instant(ns.lastModifiedDate, 'lastModifiedDate') } : {}),
  };
}

export interface InvoiceLineInput {
  kind: InvoiceLineKind;
  description?: string;
  quantity: number;
  unitPrice: Money;
  sourceRef?: string;
}

export interface InvoiceInput {
  clientId: string;
  projectId?: string;
  legalEntityId: string;
  currency: string;
  issueDate: string;
  dueDate?: string;
  lines: InvoiceLineInput[];
  memo?: string;
  onHold?: boolean;
  /** Submit for approval (NetSuite approval routing) instead of posting open. */
  requireApproval?: boolean;
}

/** The invoice create body. Totals are computed by NetSuite from the lines. */
export function invoiceToNs(input: InvoiceInput, ctx: ToVendorContext, canonicalId?: string): Record<string, unknown> {
  const items: NsInvoiceLine[] = input.lines.map((line, i) => {
    const rate = canonicalAmount(line.unitPrice, input.currency, `lines.${i}.unitPrice`);
    const amountMinor = lineAmountMinor(line.quantity, line.unitPrice.amountMinor);
    return {
      item: { id: LINE_ITEMS[line.kind].id },
      ...(line.description ? { description: line.description } : {}),
      quantity: line.quantity,
      rate,
      amount: fromMinorNumber(amountMinor, input.currency),
      ...(line.sourceRef ? { custcol_source_ref: line.sourceRef } : {}),
    };
  });
  const approval: NsApprovalStatusId = input.requireApproval ? '1' : '2';
  return {
    entity: ref(ctx.nativeId('client', input.clientId)),
    ...(input.projectId ? { job: ref(ctx.nativeId('project', input.projectId)) } : {}),
    subsidiary: ref(ctx.nativeId('legal-entity', input.legalEntityId)),
    currency: ref(ctx.nsCurrencyId(input.currency)),
    tranDate: input.issueDate,
    ...(input.dueDate ? { dueDate: input.dueDate } : {}),
    approvalStatus: { id: approval },
    item: { items },
    ...(input.memo ? { memo: input.memo } : {}),
    ...(input.onHold !== undefined ? { custbody_billing_hold: input.onHold } : {}),
    ...(canonicalId ? { externalId: canonicalId } : {}),
  };
}

// ---- payments -----------------------------------------------------------------------------------

export function paymentToCanonical(ns: NsCustomerPayment, ctx: ToCanonicalContext): Payment {
  const currency = ctx.currencyCode(ns.currency.id);
  const amount = vendorAmount(ns.payment, currency, 'payment');
  const applications = (ns.apply?.items ?? [])
    .filter((line) => line.apply)
    .map((line, i) => ({
      invoiceId: ctx.canonicalId('invoice', line.doc.id),
      amount: vendorAmount(line.amount, currency, `apply.items[${i}].amount`),
    }));
  const applied = applications.reduce((sum, a) => sum + a.amount.amountMinor, 0);
  return {
    id: ctx.canonicalId('payment', ns.id),
    ...(ns.tranId ? { number: ns.tranId } : {}),
    clientId: ctx.canonicalId('client', ns.customer.id),
    currency,
    amount,
    unapplied: { amountMinor: amount.amountMinor - applied, currency },
    receivedDate: plainDate(ns.tranDate, 'tranDate')!,
    applications,
    ...(ns.memo ? { memo: ns.memo } : {}),
    ...(ns.dateCreated ? { createdAt: instant(ns.dateCreated, 'dateCreated') } : {}),
  };
}

export interface PaymentInput {
  clientId: string;
  currency: string;
  amount: Money;
  receivedDate: string;
  applications: Array<{ invoiceId: string; amount: Money }>;
  memo?: string;
}

export function paymentToNs(input: PaymentInput, ctx: ToVendorContext, canonicalId?: string): Record<string, unknown> {
  return {
    customer: ref(ctx.nativeId('client', input.clientId)),
    currency: ref(ctx.nsCurrencyId(input.currency)),
    tranDate: input.receivedDate,
    payment: canonicalAmount(input.amount, input.currency, 'amount'),
    apply: {
      items: input.applications.map((a, i) => ({
        doc: ref(ctx.nativeId('invoice', a.invoiceId)),
        apply: true,
        amount: canonicalAmount(a.amount, input.currency, `applications.${i}.amount`),
      })),
    },
    ...(input.memo ? { memo: input.memo } : {}),
    ...(canonicalId ? { externalId: canonicalId } : {}),
  };
}
