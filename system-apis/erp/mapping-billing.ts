// Pure mappings of NetSuite invoices and customer payments to canonical invoices and
// payments, both ways. NetSuite computes line amounts and tax (the layer reads its figures back);
// hours travel as the exact decimal quantity, never a rounding of it.
import { createHash } from 'node:crypto';
import { decimalToScaled, minorToDecimalNumber, mulDivRounded, scaledToDecimalString } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type { Invoice, InvoiceCreate, InvoiceLine, InvoiceStatus, Payment, PaymentCreate, SourceRef } from './canonical.js';
import {
  canonicalAmount,
  canonicalRef,
  plainDate,
  requiredDate,
  roleCode,
  ROLE,
  upstream,
  vendorAmount,
  type ToCanonicalContext,
  type ToVendorContext,
} from './mapping.js';
import type { NsCustomerPayment, NsInvoice, NsInvoiceLine, NsPaymentApplication, NsRef } from './vendor-types.js';

const ref = (id: string): NsRef => ({ id });

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
  if (
    !Number.isFinite(taxRate) ||
    Math.abs(taxRateBasisPoints - taxRate * 100) > 1e-6 ||
    taxRateBasisPoints < 0 ||
    taxRateBasisPoints > 10_000
  ) {
    throw upstream(`item.items[${i}].taxRate1 ${line.taxRate1} is not a percentage with at most 2 decimals`);
  }
  let quantity = 1;
  let hours: string | undefined;
  let unitPrice = netAmount;
  if (kind === 'time') {
    hours = quantityToHours(line.quantity, i);
    // Whole minutes for v1 readers: hours × 60 rounded half up (1.17 h is 70), at least 1.
    quantity = Math.max(1, mulDivRounded(decimalToScaled(hours, QUANTITY_DECIMALS), 60, 10 ** QUANTITY_DECIMALS));
    unitPrice = vendorAmount(line.rate, currency, `item.items[${i}].rate`);
  }
  const role = line.custcol_role ? roleCode(line.custcol_role) : undefined;
  return {
    id: ctx.canonicalId('invoice-line', `${ns.id}:${line.line ?? i + 1}`),
    kind,
    description: line.description ?? line.item?.refName ?? kind,
    ...(role && ROLE.test(role) ? { role } : {}),
    quantity,
    ...(hours ? { hours } : {}),
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
    ...(status === 'on-hold' && ns.custbody_hold_reason
      ? { holdReason: ns.custbody_hold_reason.replace(/[\x00-\x1F]/g, ' ').slice(0, 500) }
      : {}),
    lines: (ns.item?.items ?? []).map((line, i) => lineToCanonical(ns, line, currency, i, ctx)),
    netTotal: vendorAmount(ns.subtotal ?? ns.total, currency, 'subtotal'),
    taxTotal: vendorAmount(ns.taxTotal ?? 0, currency, 'taxTotal'),
    total: vendorAmount(ns.total, currency, 'total'),
    amountPaid: vendorAmount(ns.amountPaid ?? 0, currency, 'amountPaid'),
    amountOutstanding: vendorAmount(ns.amountRemaining, currency, 'amountRemaining'),
  };
}

/** Decimal places of a NetSuite transaction line quantity the layer reads (hours with minutes' 6 places fit). */
const QUANTITY_DECIMALS = 8;

/** A time line's NetSuite quantity as the canonical hours string: exact, at least two places ("19.92", "7.50"). */
function quantityToHours(value: unknown, i: number): string {
  let scaled: number;
  try {
    scaled = decimalToScaled(typeof value === 'number' || typeof value === 'string' ? value : Number.NaN, QUANTITY_DECIMALS);
  } catch {
    throw upstream(`item.items[${i}].quantity ${String(value)} is not a number of hours with at most ${QUANTITY_DECIMALS} places`);
  }
  if (scaled <= 0) throw upstream(`item.items[${i}].quantity ${String(value)} is not a positive number of hours`);
  return scaledToDecimalString(scaled, QUANTITY_DECIMALS).replace(/(\.\d\d\d*?)0+$/, '$1');
}

/** What the invoice body needs from the project it bills (already resolved to native ids). */
export interface InvoiceParty {
  customerId: string;
  jobId: string;
  subsidiaryId: string;
  currency: string;
}

/**
 * A time line's NetSuite quantity and, when the quantity cannot say it exactly, its amount:
 * `hours` goes as it is (NetSuite computes quantity × rate); minutes (v1 callers without `hours`)
 * go as hours to six places with the amount minutes × rate / 60, so no rounding of them is billed.
 */
function timeQuantity(line: InvoiceCreate['lines'][number], currency: string): { quantity: number; amount?: number } {
  if (line.hours !== undefined) return { quantity: Number(line.hours) };
  return {
    quantity: Number((line.quantity / 60).toFixed(6)),
    amount: minorToDecimalNumber(mulDivRounded(line.quantity, line.unitPrice.amountMinor, 60), currency),
  };
}

/**
 * The invoice create body. Line amounts and tax are left to NetSuite, which computes them by the
 * account's rounding (and the nexus's tax rounding level); the created invoice is read back.
 */
export function invoiceToNs(input: InvoiceCreate, party: InvoiceParty, ctx: ToVendorContext): Record<string, unknown> {
  const { currency } = party;
  const items = input.lines.map((line, i) => {
    const pointer = `/lines/${i}`;
    const rate = canonicalAmount(line.unitPrice, currency, `${pointer}/unitPrice`);
    if (line.kind !== 'time' && line.quantity !== 1) {
      throw new ProblemError('validation-failed', {
        detail: `Only time lines take a quantity; a ${line.kind} line has quantity 1 and its amount as unit price.`,
        errors: [{ pointer: `${pointer}/quantity`, detail: 'must be 1' }],
      });
    }
    if (line.kind !== 'time' && line.hours !== undefined) {
      throw new ProblemError('validation-failed', {
        detail: `Only time lines bill hours; a ${line.kind} line has quantity 1 and its amount as unit price.`,
        errors: [{ pointer: `${pointer}/hours`, detail: 'only on time lines' }],
      });
    }
    return {
      item: { id: LINE_ITEMS[line.kind].id },
      description: line.description,
      ...(line.kind === 'time' ? timeQuantity(line, currency) : { quantity: 1 }),
      rate,
      taxRate1: line.taxRateBasisPoints / 100,
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

/**
 * The external id of the invoice of a project, billing period and sequence (1 for the period's
 * first invoice), so that creating it again finds it. Like every record the layer creates, the
 * external id is the record's canonical id (consumers of ERP events rely on it): a UUIDv7 whose
 * time is the period's first day and whose other 74 bits come from a SHA-256 of the key. As a
 * hex-and-hyphen string it is a valid NetSuite external id (letters, digits, `_`, `-`).
 */
export function invoiceExternalId(engagementId: string, periodStart: string, periodEnd: string, sequence: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Date.parse(`${periodStart}T00:00:00Z`), 0, 6);
  createHash('sha256')
    .update(`invoice\u0000${engagementId}\u0000${periodStart}\u0000${periodEnd}\u0000${sequence}`)
    .digest()
    .copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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

export function paymentToNs(
  input: PaymentCreate,
  invoice: { id: string; customerId: string; currency: string },
  ctx: ToVendorContext,
): Record<string, unknown> {
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
