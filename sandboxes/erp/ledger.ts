// The sandbox's accounting rules, worked in integer minor units: invoice totals from
// lines, amount remaining after payments, status from approval and balance, and the
// application of a customer payment to open invoices.
import { decimalToMinor, decimalToScaled, minorToDecimalNumber } from '../../core/money.js';
import { APPROVAL_STATUSES, INVOICE_STATUSES, roundedProduct, TAX_ROUNDING_LEVEL } from './account.js';
import type { NsApprovalStatusId, NsCustomerPayment, NsInvoice, NsInvoiceStatusId, NsPaymentApplication } from './vendor-types.js';
import { invalidField, NsFault } from './errors.js';
import type { ErpState } from './state.js';

export function currencyCode(state: ErpState, currencyId: string): string {
  const currency = state.records.currency.get(currencyId);
  if (!currency) throw invalidField('currency');
  return currency.symbol;
}

/** A decimal the account would store for the currency; more precision is a field error. */
export function minorOf(value: unknown, currency: string, path: string): number {
  if (typeof value !== 'number' && typeof value !== 'string') throw invalidField(path);
  try {
    return decimalToMinor(value, currency);
  } catch {
    throw invalidField(path, `Invalid value for the field '${path}': ${value} has more decimals than ${currency} allows.`);
  }
}

/** A decimal quantity or percentage as an integer scaled by 10^digits (exactly, from its decimal text), or undefined if it has more digits. */
function scaled(value: unknown, digits: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  try {
    return decimalToScaled(value, digits);
  } catch {
    return undefined;
  }
}

/**
 * At transaction-level tax rounding, moves the difference between round(Σ net × rate) and the sum
 * of the lines' rounded taxes onto the last computed line of that rate, so the lines add up to
 * the transaction's tax. Lines whose tax was given keep it.
 */
function adjustToTransactionLevel(computed: Array<{ index: number; netMinor: number; rate: number; taxMinor: number }>): void {
  const byRate = new Map<number, typeof computed>();
  for (const c of computed) byRate.set(c.rate, [...(byRate.get(c.rate) ?? []), c]);
  for (const [rate, lines] of byRate) {
    const total = roundedProduct(
      lines.reduce((sum, l) => sum + l.netMinor, 0),
      rate,
      100 * 10_000,
    );
    lines[lines.length - 1]!.taxMinor += total - lines.reduce((sum, l) => sum + l.taxMinor, 0);
  }
}

/** Fills line amounts and tax, totals, amount remaining and status from lines, approval and payments. */
export function recomputeInvoice(state: ErpState, invoice: NsInvoice): void {
  const currency = currencyCode(state, invoice.currency.id);
  const country = state.records.subsidiary.get(invoice.subsidiary?.id)?.country ?? '';
  const computed: Array<{ index: number; netMinor: number; rate: number; taxMinor: number }> = [];
  const amounts: Array<{ netMinor: number; taxMinor: number }> = [];
  invoice.item.items.forEach((line, i) => {
    const rateMinor = minorOf(line.rate, currency, `item.items[${i}].rate`);
    const quantity = scaled(line.quantity, 8);
    if (quantity === undefined) throw invalidField(`item.items[${i}].quantity`);
    const amountMinor =
      line.amount === undefined ? roundedProduct(quantity, rateMinor, 10 ** 8) : minorOf(line.amount, currency, `item.items[${i}].amount`);
    const rate = scaled(line.taxRate1 ?? 0, 4);
    if (rate === undefined || rate < 0 || rate > 100 * 10_000) throw invalidField(`item.items[${i}].taxRate1`);
    const lineTaxMinor =
      line.tax1Amt === undefined
        ? roundedProduct(amountMinor, rate, 100 * 10_000)
        : minorOf(line.tax1Amt, currency, `item.items[${i}].tax1Amt`);
    if (line.tax1Amt === undefined) computed.push({ index: i, netMinor: amountMinor, rate, taxMinor: lineTaxMinor });
    line.line = i + 1;
    line.amount = minorToDecimalNumber(amountMinor, currency);
    line.taxRate1 = rate / 10_000;
    amounts.push({ netMinor: amountMinor, taxMinor: lineTaxMinor });
  });
  if (TAX_ROUNDING_LEVEL[country] === 'transaction') adjustToTransactionLevel(computed);
  for (const c of computed) amounts[c.index]!.taxMinor = c.taxMinor;
  let netMinor = 0;
  let taxMinor = 0;
  invoice.item.items.forEach((line, i) => {
    line.tax1Amt = minorToDecimalNumber(amounts[i]!.taxMinor, currency);
    netMinor += amounts[i]!.netMinor;
    taxMinor += amounts[i]!.taxMinor;
  });
  const totalMinor = netMinor + taxMinor;
  const paidMinor = minorOf(invoice.amountPaid ?? 0, currency, 'amountPaid');
  const remainingMinor = totalMinor - paidMinor;
  invoice.subtotal = minorToDecimalNumber(netMinor, currency);
  invoice.taxTotal = minorToDecimalNumber(taxMinor, currency);
  invoice.total = minorToDecimalNumber(totalMinor, currency);
  invoice.amountPaid = minorToDecimalNumber(paidMinor, currency);
  invoice.amountRemaining = minorToDecimalNumber(remainingMinor, currency);
  setStatus(invoice, statusOf(invoice.approvalStatus.id, totalMinor, remainingMinor, invoice.status?.id));
}

function statusOf(
  approval: NsApprovalStatusId,
  totalMinor: number,
  remainingMinor: number,
  current?: NsInvoiceStatusId,
): NsInvoiceStatusId {
  if (current === 'V') return 'V';
  if (approval === '1') return 'D';
  if (approval === '3') return 'E';
  return remainingMinor <= 0 && totalMinor > 0 ? 'B' : 'A';
}

export function setStatus(invoice: NsInvoice, id: NsInvoiceStatusId): void {
  invoice.status = { id, refName: INVOICE_STATUSES[id] };
}

export function setApproval(invoice: NsInvoice, id: NsApprovalStatusId): void {
  invoice.approvalStatus = { id, refName: APPROVAL_STATUSES[id] };
}

export function nextInvoiceNumber(state: ErpState, subsidiaryId: string): string {
  const next = (state.invoiceNumbers.get(subsidiaryId) ?? 0) + 1;
  state.invoiceNumbers.set(subsidiaryId, next);
  const country = state.records.subsidiary.get(subsidiaryId)?.country ?? 'XX';
  const prefix = state.records.subsidiary.get(subsidiaryId)?.tranPrefix ?? `INV-${country}`;
  return `${prefix}-INV-${String(next).padStart(6, '0')}`;
}

export function nextPaymentNumber(state: ErpState): string {
  state.paymentNumber += 1;
  return `PYMT-${String(state.paymentNumber).padStart(6, '0')}`;
}

export interface AppliedChange {
  invoice: NsInvoice;
  previousStatus: NsInvoiceStatusId;
}

/**
 * Applies a payment's `apply` lines to open invoices of the same customer and currency:
 * each amount at most the invoice's amount remaining, the sum at most the payment.
 * Validates everything before changing anything.
 */
/**
 * Applies `amountMinor` of a payment or credit to an open invoice: fills the apply line as
 * NetSuite shows it and raises the invoice's amount paid (which counts credit applied as well as
 * payments: total less amount remaining), then recomputes its remaining amount and status.
 */
export function applyToInvoice(
  state: ErpState,
  invoice: NsInvoice,
  line: NsPaymentApplication,
  index: number,
  amountMinor: number,
  currency: string,
): AppliedChange {
  const previousStatus = invoice.status.id;
  line.due = invoice.amountRemaining;
  line.refNum = invoice.tranId;
  line.line = index + 1;
  line.doc = { id: invoice.id, refName: `Invoice #${invoice.tranId}` };
  invoice.amountPaid = minorToDecimalNumber(minorOf(invoice.amountPaid ?? 0, currency, 'amountPaid') + amountMinor, currency);
  recomputeInvoice(state, invoice);
  return { invoice, previousStatus };
}

export function applyPayment(state: ErpState, payment: NsCustomerPayment): AppliedChange[] {
  const currency = currencyCode(state, payment.currency.id);
  const paymentMinor = minorOf(payment.payment, currency, 'payment');
  if (paymentMinor <= 0) throw invalidField('payment', "Invalid value for the field 'payment': the payment amount must be positive.");
  const planned: Array<{ invoice: NsInvoice; amountMinor: number }> = [];
  let appliedMinor = 0;
  (payment.apply?.items ?? []).forEach((line, i) => {
    if (!line.apply) return;
    const invoice = state.records.invoice.get(String(line.doc?.id));
    if (!invoice)
      throw invalidField(`apply.items[${i}].doc`, `Invalid value for the field 'apply.items[${i}].doc': no invoice ${line.doc?.id}.`);
    if (invoice.entity.id !== payment.customer.id)
      throw invalidField(`apply.items[${i}].doc`, `Invoice ${invoice.tranId} belongs to another customer.`);
    if (invoice.currency.id !== payment.currency.id)
      throw invalidField(`apply.items[${i}].doc`, `Invoice ${invoice.tranId} is in another currency.`);
    if (invoice.status.id !== 'A')
      throw new NsFault(
        400,
        'USER_ERROR',
        `Invoice ${invoice.tranId} is not open (${invoice.status.refName}); payments apply only to open invoices.`,
        { 'o:errorPath': `apply.items[${i}].doc` },
      );
    const amountMinor = minorOf(line.amount, currency, `apply.items[${i}].amount`);
    const remainingMinor = minorOf(invoice.amountRemaining, currency, 'amountRemaining');
    if (amountMinor <= 0 || amountMinor > remainingMinor) {
      throw invalidField(
        `apply.items[${i}].amount`,
        `Invalid value for the field 'apply.items[${i}].amount': must be more than 0 and at most the amount due ${invoice.amountRemaining}.`,
      );
    }
    appliedMinor += amountMinor;
    planned.push({ invoice, amountMinor });
  });
  if (appliedMinor > paymentMinor) throw invalidField('apply', 'The total applied exceeds the payment amount.');
  const applied = payment.apply.items.filter((l) => l.apply);
  const changes = planned.map(({ invoice, amountMinor }, i) => applyToInvoice(state, invoice, applied[i]!, i, amountMinor, currency));
  payment.apply = { items: payment.apply?.items.filter((l) => l.apply) ?? [] };
  payment.applied = minorToDecimalNumber(appliedMinor, currency);
  payment.unapplied = minorToDecimalNumber(paymentMinor - appliedMinor, currency);
  return changes;
}
