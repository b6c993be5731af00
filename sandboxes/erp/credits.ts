// The sandbox's credit rules, in integer minor units: a credit memo's total from its lines
// (worked exactly as an invoice's), its application to open invoices of the same customer,
// and a customer refund paid out of unapplied credit (credit memos, payments).
import { minorToDecimalNumber } from '../../core/money.js';
import { invalidField, NsFault } from './errors.js';
import { applyToInvoice, currencyCode, minorOf, recomputeInvoice, type AppliedChange } from './ledger.js';
import type { ErpState } from './state.js';
import type { NsCreditMemo, NsCustomerPayment, NsCustomerRefund, NsInvoice, NsPaymentApplication } from './vendor-types.js';

const CREDIT_STATUSES = { A: 'Open', B: 'Fully Applied' } as const;

/** Net, tax and total of the memo's lines, by the invoice rules (one rounding rule for both). */
function creditTotals(state: ErpState, memo: NsCreditMemo): { subtotal: number; taxTotal: number; total: number } {
  const scratch = {
    ...structuredClone(memo),
    amountPaid: 0,
    approvalStatus: { id: '2' },
    status: { id: 'A' },
  } as unknown as NsInvoice;
  recomputeInvoice(state, scratch);
  memo.item = scratch.item;
  return { subtotal: scratch.subtotal!, taxTotal: scratch.taxTotal!, total: scratch.total };
}

interface PlannedApplication<T> {
  target: T;
  line: NsPaymentApplication;
  amountMinor: number;
}

/** Checks each applied line's amount (more than 0, at most what the document still has) and the sum (at most `availableMinor`). */
function planApplications<T>(
  lines: NsPaymentApplication[],
  currency: string,
  availableMinor: number,
  target: (line: NsPaymentApplication, i: number) => { doc: T; remainingMinor: number; remaining: number },
): PlannedApplication<T>[] {
  const planned: PlannedApplication<T>[] = [];
  let sum = 0;
  lines.forEach((line, i) => {
    if (!line.apply) return;
    const { doc, remainingMinor, remaining } = target(line, i);
    const amountMinor = minorOf(line.amount, currency, `apply.items[${i}].amount`);
    if (amountMinor <= 0 || amountMinor > remainingMinor) {
      throw invalidField(
        `apply.items[${i}].amount`,
        `Invalid value for the field 'apply.items[${i}].amount': must be more than 0 and at most the amount due ${remaining}.`,
      );
    }
    sum += amountMinor;
    planned.push({ target: doc, line, amountMinor });
  });
  if (sum > availableMinor) throw invalidField('apply', 'The total applied exceeds the amount available.');
  return planned;
}

/**
 * Works out the memo's total and applies its `apply` lines to open invoices of the same
 * customer and currency, lowering their amount remaining (an invoice credited to zero is Paid
 * In Full). Validates everything before changing anything.
 */
export function applyCreditMemo(state: ErpState, memo: NsCreditMemo): AppliedChange[] {
  const currency = currencyCode(state, memo.currency.id);
  const totals = creditTotals(state, memo);
  const totalMinor = minorOf(totals.total, currency, 'total');
  if (totalMinor <= 0) throw invalidField('item', "Invalid value for the field 'item': a credit memo's total must be positive.");
  const planned = planApplications(memo.apply.items, currency, totalMinor, (line, i) => {
    const invoice = state.records.invoice.get(String(line.doc?.id));
    const path = `apply.items[${i}].doc`;
    if (!invoice) throw invalidField(path, `Invalid value for the field '${path}': no invoice ${line.doc?.id}.`);
    if (invoice.entity.id !== memo.entity.id) throw invalidField(path, `Invoice ${invoice.tranId} belongs to another customer.`);
    if (invoice.currency.id !== memo.currency.id) throw invalidField(path, `Invoice ${invoice.tranId} is in another currency.`);
    if (invoice.status.id !== 'A')
      throw new NsFault(
        400,
        'USER_ERROR',
        `Invoice ${invoice.tranId} is not open (${invoice.status.refName}); credit applies only to open invoices.`,
        {
          'o:errorPath': path,
        },
      );
    return {
      doc: invoice,
      remainingMinor: minorOf(invoice.amountRemaining, currency, 'amountRemaining'),
      remaining: invoice.amountRemaining,
    };
  });
  const changes = planned.map(({ target: invoice, line, amountMinor }, i) =>
    applyToInvoice(state, invoice, line, i, amountMinor, currency),
  );
  const appliedMinor = planned.reduce((sum, p) => sum + p.amountMinor, 0);
  memo.apply = { items: memo.apply.items.filter((l) => l.apply) };
  Object.assign(memo, totals);
  memo.applied = minorToDecimalNumber(appliedMinor, currency);
  memo.unapplied = minorToDecimalNumber(totalMinor - appliedMinor, currency);
  setCreditStatus(memo, totalMinor - appliedMinor);
  return changes;
}

function setCreditStatus(memo: NsCreditMemo, unappliedMinor: number): void {
  const id = unappliedMinor > 0 ? 'A' : 'B';
  memo.status = { id, refName: CREDIT_STATUSES[id] };
}

type RefundSource = { kind: 'credit'; doc: NsCreditMemo } | { kind: 'payment'; doc: NsCustomerPayment };

/**
 * Pays the refund's `apply` lines out of unapplied credit of the same customer and currency: a
 * credit memo's or a payment's unapplied amount goes down. Invoices do not change. The refund's
 * total is the sum applied.
 */
export function applyRefund(state: ErpState, refund: NsCustomerRefund): RefundSource[] {
  const currency = currencyCode(state, refund.currency.id);
  const planned = planApplications<RefundSource>(refund.apply.items, currency, Number.MAX_SAFE_INTEGER, (line, i) => {
    const path = `apply.items[${i}].doc`;
    const id = String(line.doc?.id);
    const memo = state.records.creditMemo.get(id);
    const payment = memo ? undefined : state.records.customerPayment.get(id);
    const source: RefundSource | undefined = memo ? { kind: 'credit', doc: memo } : payment ? { kind: 'payment', doc: payment } : undefined;
    if (!source) throw invalidField(path, `Invalid value for the field '${path}': no credit memo or payment ${id}.`);
    const customerId = source.kind === 'credit' ? source.doc.entity.id : source.doc.customer.id;
    if (customerId !== refund.customer.id) throw invalidField(path, `Transaction ${source.doc.tranId} belongs to another customer.`);
    if (source.doc.currency.id !== refund.currency.id) throw invalidField(path, `Transaction ${source.doc.tranId} is in another currency.`);
    const unapplied = source.doc.unapplied ?? 0;
    return { doc: source, remainingMinor: minorOf(unapplied, currency, 'unapplied'), remaining: unapplied };
  });
  if (planned.length === 0) throw invalidField('apply', "Invalid value for the field 'apply': a refund applies to at least one credit.");
  let totalMinor = 0;
  planned.forEach(({ target, line, amountMinor }, i) => {
    const doc = target.doc;
    line.due = doc.unapplied;
    line.refNum = doc.tranId;
    line.line = i + 1;
    (line as NsCustomerRefund['apply']['items'][number]).type = target.kind === 'credit' ? 'Credit Memo' : 'Payment';
    line.doc = { id: doc.id, refName: `${target.kind === 'credit' ? 'Credit Memo' : 'Payment'} #${doc.tranId}` };
    const left = minorOf(doc.unapplied ?? 0, currency, 'unapplied') - amountMinor;
    doc.unapplied = minorToDecimalNumber(left, currency);
    if (target.kind === 'credit') {
      target.doc.applied = minorToDecimalNumber(minorOf(target.doc.total, currency, 'total') - left, currency);
      setCreditStatus(target.doc, left);
    }
    totalMinor += amountMinor;
  });
  refund.apply = { items: refund.apply.items.filter((l) => l.apply) };
  refund.total = minorToDecimalNumber(totalMinor, currency);
  return planned.map((p) => p.target);
}

export function nextCreditNumber(state: ErpState): string {
  state.creditNumber += 1;
  return `CM-${String(state.creditNumber).padStart(6, '0')}`;
}

export function nextRefundNumber(state: ErpState): string {
  state.refundNumber += 1;
  return `RFND-${String(state.refundNumber).padStart(6, '0')}`;
}
