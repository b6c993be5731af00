// Pure mappings between NetSuite record payloads and the canonical ERP resources, both
// ways. Ids are translated through a context the service fills from the xref store first.
import { fromMinorNumber, toMinor } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  BillingModel, Client, ClientMatchRequest, ClientUpdate, Engagement, EngagementStatus, Invoice, InvoiceCreate, InvoiceLine,
  InvoiceStatus, LegalEntity, Money, Payment, PaymentCreate, ProjectCreate, ProjectUpdate, RateCard, SourceRef,
} from './canonical.js';
import type {
  NsCustomer, NsCustomerPayment, NsInvoice, NsInvoiceLine, NsJob, NsJobBillingTypeId, NsPaymentApplication, NsRateCard, NsRef,
  NsSubsidiary,
} from './vendor-types.js';

export type ErpEntity = 'legal-entity' | 'client' | 'engagement' | 'invoice' | 'invoice-line' | 'payment' | 'rate-card';

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

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CODE = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;
const ROLE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TAX_ID = /^[A-Z0-9][A-Z0-9 .-]*$/;

function upstream(detail: string): ProblemError {
  return new ProblemError('upstream-error', { detail: `ERP returned unusable data: ${detail}`, extensions: { platform: 'erp' } });
}

/** A document date as `YYYY-MM-DD`; vendor data that is not one is an upstream error. */
export function plainDate(value: string | undefined | null, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const valid = PLAIN_DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw upstream(`${field} "${value}" is not a date (YYYY-MM-DD)`);
  return value;
}

function requiredDate(value: string | undefined | null, field: string): string {
  const date = plainDate(value, field);
  if (!date) throw upstream(`${field} is missing`);
  return date;
}

/** A vendor timestamp (any RFC 3339 offset) as an RFC 3339 UTC instant without milliseconds. */
export function instant(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw upstream(`${field} "${value}" is not an RFC 3339 timestamp`);
  }
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function requiredInstant(value: string | undefined, field: string): string {
  const at = instant(value, field);
  if (!at) throw upstream(`${field} is missing`);
  return at;
}

/** A vendor decimal amount to minor units; more precision than the currency has is refused. */
export function vendorAmount(value: number | string | undefined | null, currency: string, field: string): Money {
  try {
    return { amountMinor: toMinor(value ?? 0, currency), currency };
  } catch (err) {
    throw upstream(`${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A canonical amount as a vendor decimal; it must be in the document's currency. */
export function canonicalAmount(money: Money, currency: string, pointer: string): number {
  if (money.currency !== currency) {
    throw new ProblemError('validation-failed', {
      detail: `${pointer} is in ${money.currency} but the document currency is ${currency}`,
      errors: [{ pointer: `${pointer}/currency`, detail: `must be ${currency}` }],
    });
  }
  return fromMinorNumber(money.amountMinor, currency);
}

/** a × b ÷ d in integers, rounded half away from zero (line amounts, tax). */
export function mulDivRound(a: number, b: number, d: number): number {
  const product = BigInt(a) * BigInt(b);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const divisor = BigInt(d);
  const rounded = (abs * 2n + divisor) / (divisor * 2n);
  return Number(negative ? -rounded : rounded);
}

const ref = (id: string): NsRef => ({ id });

function canonicalRef(value: string | undefined): string | undefined {
  return value && UUID_V7.test(value) ? value : undefined;
}

/** `Senior Consultant` → `senior-consultant`; codes pass through. */
export function roleCode(role: string): string {
  return role.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// ---- legal entities and rate cards ------------------------------------------------------

export function subsidiaryToLegalEntity(ns: NsSubsidiary, ctx: ToCanonicalContext): LegalEntity {
  const country = ns.country.toUpperCase();
  const code = ns.tranPrefix?.toUpperCase();
  const taxId = ns.federalIdNumber?.toUpperCase();
  return {
    id: ctx.canonicalId('legal-entity', ns.id),
    code: code && CODE.test(code) ? code : `LE-${ns.id}`,
    name: ns.name,
    ...(ns.legalName ? { legalName: ns.legalName } : {}),
    country,
    baseCurrency: ctx.currencyCode(ns.currency.id),
    ...(taxId && TAX_ID.test(taxId) ? { taxRegistrationId: taxId } : {}),
    taxRulesRef: ns.custrecord_tax_rules_ref ?? `${country}-STANDARD`,
    status: ns.isInactive ? 'inactive' : 'active',
  };
}

const RATE_CARD_STATUS: Record<string, RateCard['status']> = { '1': 'draft', '2': 'active', '3': 'superseded' };

export function rateCardToCanonical(ns: NsRateCard, ctx: ToCanonicalContext): RateCard {
  const currency = ctx.currencyCode(ns.custrecord_rc_currency.id);
  let rows: Array<{ role?: unknown; rate?: unknown }>;
  try {
    rows = JSON.parse(ns.custrecord_rc_rates) as typeof rows;
    if (!Array.isArray(rows) || rows.length === 0) throw new Error('no rates');
  } catch {
    throw upstream(`rate card ${ns.id} has unreadable rates`);
  }
  return {
    id: ctx.canonicalId('rate-card', ns.id),
    name: ns.name,
    currency,
    legalEntityId: ctx.canonicalId('legal-entity', ns.custrecord_rc_subsidiary.id),
    ...(ns.custrecord_rc_customer ? { clientId: ctx.canonicalId('client', ns.custrecord_rc_customer.id) } : {}),
    effectiveFrom: requiredDate(ns.custrecord_rc_effective_from, 'custrecord_rc_effective_from'),
    effectiveTo: plainDate(ns.custrecord_rc_effective_to, 'custrecord_rc_effective_to') ?? null,
    rates: rows.map((row, i) => {
      const role = roleCode(String(row.role ?? ''));
      if (!ROLE.test(role)) throw upstream(`rate card ${ns.id} rate ${i} has no role`);
      return { role, hourlyRate: vendorAmount(row.rate as number | string, currency, `custrecord_rc_rates[${i}].rate`) };
    }),
    status: RATE_CARD_STATUS[ns.custrecord_rc_status?.id ?? '2'] ?? 'active',
  };
}

// ---- clients (customers) ----------------------------------------------------------------

/** The host of a web address or e-mail, lower case, without `www.`. */
export function domainOf(urlOrHost: string): string {
  let host = urlOrHost.trim().toLowerCase();
  if (host.includes('@')) host = host.slice(host.lastIndexOf('@') + 1);
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').split(/[/?#:]/)[0] ?? '';
  return host.replace(/^www\./, '').replace(/\.$/, '');
}

export function customerToClient(ns: NsCustomer, ctx: ToCanonicalContext, fallbackCountry: string): Client {
  const taxId = ns.vatRegNumber?.trim().toUpperCase();
  const country = (ns.custentity_billing_country ?? fallbackCountry).toUpperCase();
  return {
    id: ctx.canonicalId('client', ns.id),
    name: ns.companyName,
    billingCountry: country,
    defaultCurrency: ctx.currencyCode(ns.currency.id),
    ...(taxId && TAX_ID.test(taxId) ? { taxId } : {}),
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    status: ns.isInactive ? 'inactive' : 'active',
    createdAt: requiredInstant(ns.dateCreated, 'dateCreated'),
    updatedAt: requiredInstant(ns.lastModifiedDate ?? ns.dateCreated, 'lastModifiedDate'),
  };
}

/** The customer body for the find-or-create upsert. */
export function clientToCustomer(input: ClientMatchRequest, currency: string, ctx: ToVendorContext, canonicalId: string): Record<string, unknown> {
  return {
    companyName: input.name,
    isPerson: false,
    subsidiary: ref(ctx.nativeId('legal-entity', input.legalEntityId)),
    currency: ref(ctx.nsCurrencyId(currency)),
    custentity_billing_country: input.billingCountry,
    ...(input.domain ? { url: `https://${domainOf(input.domain)}` } : {}),
    ...(input.taxId ? { vatRegNumber: input.taxId } : {}),
    custentity_canonical_id: canonicalId,
  };
}

export function clientUpdateToCustomer(update: ClientUpdate): Record<string, unknown> {
  return {
    ...(update.name !== undefined ? { companyName: update.name } : {}),
    ...(update.billingCountry !== undefined ? { custentity_billing_country: update.billingCountry } : {}),
    ...(update.taxId !== undefined ? { vatRegNumber: update.taxId } : {}),
    ...(update.domain !== undefined ? { url: `https://${domainOf(update.domain)}` } : {}),
    ...(update.status !== undefined ? { isInactive: update.status === 'inactive' } : {}),
  };
}

// ---- projects (jobs) ----------------------------------------------------------------------

const BILLING_TYPES: Record<NsJobBillingTypeId, BillingModel> = {
  TM: 'time-and-materials',
  CB: 'time-and-materials', // charge-based projects bill by charge rules, closest to T&M
  FBI: 'fixed-fee',
  FBM: 'milestone',
};
const BILLING_TYPE_IDS: Record<BillingModel, { id: NsJobBillingTypeId }> = {
  'time-and-materials': { id: 'TM' }, 'fixed-fee': { id: 'FBI' }, milestone: { id: 'FBM' },
};
const JOB_STATUSES: Record<string, EngagementStatus> = { '4': 'draft', '2': 'active', '5': 'on-hold', '1': 'completed', '3': 'cancelled' };
const JOB_STATUS_IDS: Record<EngagementStatus, string> = { draft: '4', active: '2', 'on-hold': '5', completed: '1', cancelled: '3' };

export function jobToEngagement(ns: NsJob, ctx: ToCanonicalContext): Engagement {
  const currency = ctx.currencyCode(ns.currency.id);
  const billingModel = BILLING_TYPES[ns.jobBillingType?.id];
  if (!billingModel) throw upstream(`job ${ns.id} has unknown billing type ${JSON.stringify(ns.jobBillingType?.id)}`);
  const status = JOB_STATUSES[ns.entityStatus?.id];
  if (!status) throw upstream(`job ${ns.id} has unknown status ${JSON.stringify(ns.entityStatus?.id)}`);
  const code = ns.entityId?.toUpperCase();
  const opportunityId = canonicalRef(ns.custentity_opportunity_id);
  const endDate = plainDate(ns.projectedEndDate, 'projectedEndDate');
  return {
    id: ctx.canonicalId('engagement', ns.id),
    clientId: ctx.canonicalId('client', ns.parent.id),
    ...(opportunityId ? { opportunityId } : {}),
    ...(code && CODE.test(code) && code.length <= 32 ? { code } : {}),
    name: ns.companyName,
    billingModel,
    currency,
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    ...(ns.custentity_rate_card ? { rateCardId: ctx.canonicalId('rate-card', ns.custentity_rate_card.id) } : {}),
    ...(ns.estimatedRevenue !== undefined && ns.estimatedRevenue !== null ? { budget: vendorAmount(ns.estimatedRevenue, currency, 'estimatedRevenue') } : {}),
    // A job without a start date started when it was created.
    startDate: plainDate(ns.startDate, 'startDate') ?? requiredInstant(ns.dateCreated, 'dateCreated').slice(0, 10),
    ...(endDate ? { endDate } : {}),
    status,
    billingHold: Boolean(ns.custentity_billing_hold),
    createdAt: requiredInstant(ns.dateCreated, 'dateCreated'),
    updatedAt: requiredInstant(ns.lastModifiedDate ?? ns.dateCreated, 'lastModifiedDate'),
  };
}

export function projectToJob(input: ProjectCreate, ctx: ToVendorContext, canonicalId: string): Record<string, unknown> {
  return {
    companyName: input.name,
    parent: ref(ctx.nativeId('client', input.clientId)),
    subsidiary: ref(ctx.nativeId('legal-entity', input.legalEntityId)),
    currency: ref(ctx.nsCurrencyId(input.currency)),
    jobBillingType: BILLING_TYPE_IDS[input.billingModel],
    entityStatus: { id: JOB_STATUS_IDS[input.status ?? 'draft'] },
    startDate: input.startDate,
    ...(input.endDate ? { projectedEndDate: input.endDate } : {}),
    ...(input.budget ? { estimatedRevenue: canonicalAmount(input.budget, input.currency, '/budget') } : {}),
    ...(input.rateCardId ? { custentity_rate_card: ref(ctx.nativeId('rate-card', input.rateCardId)) } : {}),
    ...(input.opportunityId ? { custentity_opportunity_id: input.opportunityId } : {}),
    custentity_billing_hold: input.billingHold ?? false,
    custentity_canonical_id: canonicalId,
  };
}

export function projectUpdateToJob(update: ProjectUpdate, currency: string, ctx: ToVendorContext): Record<string, unknown> {
  return {
    ...(update.name !== undefined ? { companyName: update.name } : {}),
    ...(update.rateCardId !== undefined ? { custentity_rate_card: ref(ctx.nativeId('rate-card', update.rateCardId)) } : {}),
    ...(update.budget !== undefined ? { estimatedRevenue: canonicalAmount(update.budget, currency, '/budget') } : {}),
    ...(update.endDate !== undefined ? { projectedEndDate: update.endDate } : {}),
    ...(update.status !== undefined ? { entityStatus: { id: JOB_STATUS_IDS[update.status] } } : {}),
    ...(update.billingHold !== undefined ? { custentity_billing_hold: update.billingHold } : {}),
  };
}

// ---- invoices ---------------------------------------------------------------------------------

type LineKind = InvoiceLine['kind'];

/** Service items lines are billed with, by line kind (the sandbox seeds these; a firm maps its own). */
export const LINE_ITEMS: Record<LineKind, { id: string; refName: string }> = {
  time: { id: '1', refName: 'Professional Services' },
  milestone: { id: '2', refName: 'Milestone Fee' },
  expense: { id: '3', refName: 'Billable Expenses' },
  adjustment: { id: '4', refName: 'Adjustment' },
  'fixed-fee': { id: '5', refName: 'Fixed Fee' },
};
const LINE_KINDS = new Map<string, LineKind>(Object.entries(LINE_ITEMS).map(([kind, item]) => [item.id, kind as LineKind]));

export const INVOICE_STATUS_NAMES = { A: 'Open', B: 'Paid In Full', D: 'Pending Approval', E: 'Rejected', V: 'Voided' } as const;
export const APPROVAL_STATUS_NAMES = { '1': 'Pending Approval', '2': 'Approved', '3': 'Rejected' } as const;

export function invoiceStatus(ns: Pick<NsInvoice, 'status' | 'amountPaid' | 'custbody_billing_hold'>, currency: string): InvoiceStatus {
  const id = ns.status?.id;
  if (id === 'V' || id === 'E') return 'void';
  if (id === 'B') return 'paid';
  if (ns.custbody_billing_hold && (id === 'A' || id === 'D')) return 'on-hold';
  if (id === 'D') return 'draft';
  if (id === 'A') return vendorAmount(ns.amountPaid, currency, 'amountPaid').amountMinor > 0 ? 'partially-paid' : 'posted';
  throw upstream(`invoice status ${JSON.stringify(id)} is not known`);
}

function sourcesOf(line: NsInvoiceLine, i: number): SourceRef[] {
  if (!line.custcol_source_refs) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.custcol_source_refs);
  } catch {
    throw upstream(`item.items[${i}].custcol_source_refs is not JSON`);
  }
  if (!Array.isArray(parsed)) throw upstream(`item.items[${i}].custcol_source_refs is not a list`);
  return parsed.map((s: { kind?: unknown; id?: unknown }) => {
    if (!['time-entry', 'expense', 'milestone'].includes(String(s?.kind)) || !canonicalRef(String(s?.id))) {
      throw upstream(`item.items[${i}].custcol_source_refs holds an invalid source`);
    }
    return { kind: s.kind as SourceRef['kind'], id: String(s.id) };
  });
}

function lineToCanonical(ns: NsInvoice, line: NsInvoiceLine, currency: string, i: number, ctx: ToCanonicalContext): InvoiceLine {
  const kind = LINE_KINDS.get(line.item?.id) ?? 'adjustment';
  const netAmount = vendorAmount(line.amount, currency, `item.items[${i}].amount`);
  const taxRate = Number(line.taxRate1 ?? 0);
  const taxRateBasisPoints = Math.round(taxRate * 100);
  if (!Number.isFinite(taxRate) || Math.abs(taxRateBasisPoints - taxRate * 100) > 1e-6 || taxRateBasisPoints < 0 || taxRateBasisPoints > 10_000) {
    throw upstream(`item.items[${i}].taxRate1 ${line.taxRate1} is not a percentage with at most 2 decimals`);
  }
  let quantity = 1;
  let unitPrice = netAmount;
  if (kind === 'time') {
    quantity = Math.round(Number(line.quantity) * 60);
    if (!(quantity >= 1)) throw upstream(`item.items[${i}].quantity ${line.quantity} is not a positive number of hours`);
    unitPrice = vendorAmount(line.rate, currency, `item.items[${i}].rate`);
  }
  const role = line.custcol_role ? roleCode(line.custcol_role) : undefined;
  return {
    id: ctx.canonicalId('invoice-line', `${ns.id}:${line.line ?? i + 1}`),
    kind,
    description: line.description ?? line.item?.refName ?? kind,
    ...(role && ROLE.test(role) ? { role } : {}),
    quantity,
    unitPrice,
    netAmount,
    taxRateBasisPoints,
    taxAmount: vendorAmount(line.tax1Amt ?? 0, currency, `item.items[${i}].tax1Amt`),
    sources: sourcesOf(line, i),
  };
}

export function invoiceToCanonical(ns: NsInvoice, ctx: ToCanonicalContext): Invoice {
  const currency = ctx.currencyCode(ns.currency.id);
  if (!ns.job) throw upstream(`invoice ${ns.id} is not billed to a project`);
  const issueDate = requiredDate(ns.tranDate, 'tranDate');
  const dueDate = plainDate(ns.dueDate, 'dueDate');
  const number = ns.tranId?.toUpperCase();
  const status = invoiceStatus(ns, currency);
  return {
    id: ctx.canonicalId('invoice', ns.id),
    ...(number && /^[A-Z0-9]+([/-][A-Z0-9]+)*$/.test(number) ? { number } : {}),
    engagementId: ctx.canonicalId('engagement', ns.job.id),
    clientId: ctx.canonicalId('client', ns.entity.id),
    legalEntityId: ctx.canonicalId('legal-entity', ns.subsidiary.id),
    currency,
    periodStart: plainDate(ns.custbody_period_start, 'custbody_period_start') ?? issueDate,
    periodEnd: plainDate(ns.custbody_period_end, 'custbody_period_end') ?? issueDate,
    issueDate,
    ...(dueDate ? { dueDate } : {}),
    status,
    ...(status === 'on-hold' && ns.custbody_hold_reason ? { holdReason: ns.custbody_hold_reason.replace(/[\x00-\x1F]/g, ' ').slice(0, 500) } : {}),
    lines: (ns.item?.items ?? []).map((line, i) => lineToCanonical(ns, line, currency, i, ctx)),
    netTotal: vendorAmount(ns.subtotal ?? ns.total, currency, 'subtotal'),
    taxTotal: vendorAmount(ns.taxTotal ?? 0, currency, 'taxTotal'),
    total: vendorAmount(ns.total, currency, 'total'),
    amountPaid: vendorAmount(ns.amountPaid ?? 0, currency, 'amountPaid'),
    amountOutstanding: vendorAmount(ns.amountRemaining, currency, 'amountRemaining'),
  };
}

/** What the invoice body needs from the project it bills (already resolved to native ids). */
export interface InvoiceParty {
  customerId: string;
  jobId: string;
  subsidiaryId: string;
  currency: string;
}

/** The invoice create body; line net and tax amounts are computed here, in integers. */
export function invoiceToNs(input: InvoiceCreate, party: InvoiceParty, ctx: ToVendorContext): Record<string, unknown> {
  const { currency } = party;
  const items = input.lines.map((line, i) => {
    const pointer = `/lines/${i}`;
    const rate = canonicalAmount(line.unitPrice, currency, `${pointer}/unitPrice`);
    const netMinor = line.kind === 'time' ? mulDivRound(line.quantity, line.unitPrice.amountMinor, 60) : line.unitPrice.amountMinor;
    if (line.kind !== 'time' && line.quantity !== 1) {
      throw new ProblemError('validation-failed', {
        detail: `Only time lines take a quantity; a ${line.kind} line has quantity 1 and its amount as unit price.`,
        errors: [{ pointer: `${pointer}/quantity`, detail: 'must be 1' }],
      });
    }
    return {
      item: { id: LINE_ITEMS[line.kind].id },
      description: line.description,
      // Hours for time lines, to 6 decimals: minutes survive the round trip exactly.
      quantity: line.kind === 'time' ? Number((line.quantity / 60).toFixed(6)) : 1,
      rate,
      amount: fromMinorNumber(netMinor, currency),
      taxRate1: line.taxRateBasisPoints / 100,
      tax1Amt: fromMinorNumber(mulDivRound(netMinor, line.taxRateBasisPoints, 10_000), currency),
      ...(line.role ? { custcol_role: line.role } : {}),
      ...(line.sources.length ? { custcol_source_refs: JSON.stringify(line.sources) } : {}),
    };
  });
  return {
    entity: ref(party.customerId),
    job: ref(party.jobId),
    subsidiary: ref(party.subsidiaryId),
    currency: ref(ctx.nsCurrencyId(currency)),
    ...(input.issueDate ? { tranDate: input.issueDate } : {}),
    ...(input.dueDate ? { dueDate: input.dueDate } : {}),
    custbody_period_start: input.periodStart,
    custbody_period_end: input.periodEnd,
    approvalStatus: { id: input.post ? '2' : '1' },
    item: { items },
  };
}

// ---- payments -----------------------------------------------------------------------------------

const METHODS: Record<string, Payment['method']> = { '1': 'bank-transfer', '2': 'card', '3': 'direct-debit', '4': 'other' };
const METHOD_IDS: Record<NonNullable<Payment['method']>, string> = { 'bank-transfer': '1', card: '2', 'direct-debit': '3', other: '4' };

/** The native id of one application: a canonical payment is a customer payment applied to one invoice. */
export function applicationNativeId(paymentId: string, invoiceId: string): string {
  return `${paymentId}:${invoiceId}`;
}

export function paymentApplications(ns: NsCustomerPayment): NsPaymentApplication[] {
  return (ns.apply?.items ?? []).filter((line) => line.apply && line.doc?.id);
}

export function paymentToCanonical(ns: NsCustomerPayment, application: NsPaymentApplication, ctx: ToCanonicalContext): Payment {
  const currency = ctx.currencyCode(ns.currency.id);
  const method = ns.paymentMethod ? METHODS[ns.paymentMethod.id] : undefined;
  const reference = ns.checkNum?.replace(/[\x00-\x1F]/g, ' ').slice(0, 140);
  return {
    id: ctx.canonicalId('payment', applicationNativeId(ns.id, application.doc.id)),
    invoiceId: ctx.canonicalId('invoice', application.doc.id),
    clientId: ctx.canonicalId('client', ns.customer.id),
    amount: vendorAmount(application.amount, currency, 'apply.items.amount'),
    receivedOn: requiredDate(ns.tranDate, 'tranDate'),
    ...(method ? { method } : {}),
    ...(reference ? { reference } : {}),
  };
}

export function paymentToNs(input: PaymentCreate, invoice: { id: string; customerId: string; currency: string }, ctx: ToVendorContext): Record<string, unknown> {
  const amount = canonicalAmount(input.amount, invoice.currency, '/amount');
  return {
    customer: ref(invoice.customerId),
    currency: ref(ctx.nsCurrencyId(invoice.currency)),
    tranDate: input.receivedOn,
    payment: amount,
    apply: { items: [{ doc: ref(invoice.id), apply: true, amount }] },
    ...(input.method ? { paymentMethod: ref(METHOD_IDS[input.method]) } : {}),
    ...(input.reference ? { checkNum: input.reference } : {}),
  };
}
