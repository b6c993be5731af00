// Record rules for credit memos (`creditMemo`) and customer refunds (`customerRefund`): lines
// and an `apply` sublist as NetSuite's REST record service has them; saving applies the credit
// or pays the refund out (credits.ts) and sends the user-event script's webhooks.
import { applyCreditMemo, applyRefund, nextCreditNumber, nextRefundNumber } from '../credits.js';
import { invalidField } from '../errors.js';
import { timestamp } from '../state.js';
import type { NsCreditMemo, NsCustomerRefund } from '../vendor-types.js';
import { emitCreditEvent, emitInvoiceEvents } from '../webhooks.js';
import { checkChoice, checkDate, normaliseLines, PAYMENT_METHODS } from './record-checks.js';
import type { RecordTypeRules } from './record-types.js';

type Body = Record<string, unknown>;

function applySublist(record: Body): void {
  const apply = record.apply as { items?: unknown } | undefined;
  if (apply !== undefined && (typeof apply !== 'object' || apply === null || !Array.isArray(apply.items))) throw invalidField('apply');
  record.apply = { items: (apply?.items as unknown[] | undefined) ?? [] };
}

export const creditMemo: RecordTypeRules = {
  fields: ['entity', 'job', 'subsidiary', 'currency', 'tranDate', 'createdFrom', 'item', 'apply', 'memo'],
  required: ['entity', 'item'],
  refs: { entity: 'customer', job: 'job', subsidiary: 'subsidiary', currency: 'currency', createdFrom: 'invoice' },
  sublists: ['item', 'apply'],
  updatable: ['memo'],
  writable: true,
  create(state, record, events) {
    const entity = state.records.customer.get((record.entity as { id: string }).id)!;
    record.subsidiary ??= entity.subsidiary;
    record.currency ??= entity.currency;
    record.tranDate ??= timestamp(state.now()).slice(0, 10);
    checkDate(record, 'tranDate');
    normaliseLines(record);
    applySublist(record);
    const memo = record as unknown as NsCreditMemo;
    const changes = applyCreditMemo(state, memo);
    memo.tranId = nextCreditNumber(state);
    for (const change of changes) {
      change.invoice.lastModifiedDate = memo.lastModifiedDate;
      emitInvoiceEvents(events, change.invoice, 'credit', change.previousStatus);
    }
    emitCreditEvent(events, memo, 'creditMemo');
  },
  remove(_state, record) {
    if (Number((record as unknown as NsCreditMemo).applied ?? 0) > 0)
      throw invalidField('apply', 'This credit memo is applied; unapply it first.');
  },
};

export const customerRefund: RecordTypeRules = {
  fields: ['customer', 'subsidiary', 'currency', 'tranDate', 'apply', 'memo', 'paymentMethod'],
  required: ['customer', 'apply'],
  refs: { customer: 'customer', subsidiary: 'subsidiary', currency: 'currency' },
  sublists: ['apply'],
  updatable: ['memo'],
  writable: true,
  create(state, record, events) {
    checkChoice(record, 'paymentMethod', PAYMENT_METHODS);
    const payee = state.records.customer.get((record.customer as { id: string }).id)!;
    record.subsidiary ??= payee.subsidiary;
    record.currency ??= payee.currency;
    record.tranDate ??= timestamp(state.now()).slice(0, 10);
    checkDate(record, 'tranDate');
    applySublist(record);
    const refund = record as unknown as NsCustomerRefund;
    // The credit memos and payments paid out are modified too: their unapplied amount went down.
    for (const source of applyRefund(state, refund)) source.doc.lastModifiedDate = refund.lastModifiedDate;
    refund.tranId = nextRefundNumber(state);
    emitCreditEvent(events, refund, 'customerRefund');
  },
};
