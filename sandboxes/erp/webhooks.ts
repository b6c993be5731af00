// Outbound webhooks of the ERP sandbox. NetSuite itself has no outbound webhooks: a firm
// deploys a user-event script (afterSubmit on invoice, customer payment, credit memo and
// customer refund) that posts these notifications. The sandbox's signed webhooks stand in for
// that script.
import type { NsCreditMemo, NsCustomerPayment, NsCustomerRefund, NsInvoice, NsInvoiceStatusId } from './vendor-types.js';

export interface ErpEvents {
  send(eventType: string, payload: unknown): void;
}

export type InvoiceChange = 'create' | 'edit' | 'payment' | 'credit' | 'approve' | 'reject';

/** The body the user-event script would post: record type, id, event, and the status it moved to. */
export interface ErpWebhookPayload {
  recordType: 'invoice' | 'customerPayment' | 'creditMemo' | 'customerRefund';
  id: string;
  /** The record's last modification time after the change (what SuiteQL's lastmodifieddate shows). */
  lastModifiedDate?: string;
  externalId?: string;
  tranId?: string;
  eventType: string;
  status?: { id: string; refName?: string };
  previousStatus?: string;
  /** The invoice's billing hold (custbody_billing_hold) after the change. */
  billingHold?: boolean;
  /** The invoice's amount remaining after the change. */
  amountRemaining?: number;
  occurredAt: string;
}

export function emitInvoiceEvents(events: ErpEvents, invoice: NsInvoice, change: InvoiceChange, previous?: NsInvoiceStatusId): void {
  const base = {
    recordType: 'invoice' as const,
    id: invoice.id,
    ...(invoice.externalId ? { externalId: invoice.externalId } : {}),
    tranId: invoice.tranId,
    ...(invoice.lastModifiedDate ? { lastModifiedDate: invoice.lastModifiedDate } : {}),
    status: { id: invoice.status.id, refName: invoice.status.refName },
    billingHold: Boolean(invoice.custbody_billing_hold),
    amountRemaining: invoice.amountRemaining,
    occurredAt: new Date().toISOString(),
  };
  if (change === 'create') {
    events.send('invoice.created', { ...base, eventType: 'create' } satisfies ErpWebhookPayload);
    return;
  }
  if (previous === undefined || previous === invoice.status.id) return;
  if (previous === 'D' && invoice.status.id !== 'E') {
    events.send('invoice.approved', { ...base, eventType: 'approve', previousStatus: previous } satisfies ErpWebhookPayload);
  }
  events.send('invoice.statusChanged', {
    ...base,
    eventType: change === 'payment' ? 'paymentapplied' : change === 'credit' ? 'creditapplied' : change,
    previousStatus: previous,
  } satisfies ErpWebhookPayload);
}

/** A billing hold set or lifted: NetSuite's status does not change, the hold flag does. */
export function emitHoldEvent(events: ErpEvents, invoice: NsInvoice): void {
  events.send('invoice.holdChanged', {
    recordType: 'invoice',
    id: invoice.id,
    ...(invoice.externalId ? { externalId: invoice.externalId } : {}),
    tranId: invoice.tranId,
    ...(invoice.lastModifiedDate ? { lastModifiedDate: invoice.lastModifiedDate } : {}),
    eventType: 'edit',
    status: { id: invoice.status.id, refName: invoice.status.refName },
    billingHold: Boolean(invoice.custbody_billing_hold),
    amountRemaining: invoice.amountRemaining,
    occurredAt: new Date().toISOString(),
  } satisfies ErpWebhookPayload);
}

export function emitPaymentEvent(events: ErpEvents, payment: NsCustomerPayment): void {
  events.send('customerPayment.created', {
    recordType: 'customerPayment',
    id: payment.id,
    ...(payment.externalId ? { externalId: payment.externalId } : {}),
    ...(payment.tranId ? { tranId: payment.tranId } : {}),
    ...(payment.lastModifiedDate ? { lastModifiedDate: payment.lastModifiedDate } : {}),
    eventType: 'create',
    occurredAt: new Date().toISOString(),
  } satisfies ErpWebhookPayload);
}

/** A credit memo or customer refund saved (the script's afterSubmit on create). */
export function emitCreditEvent(
  events: ErpEvents,
  record: NsCreditMemo | NsCustomerRefund,
  recordType: 'creditMemo' | 'customerRefund',
): void {
  events.send(`${recordType}.created`, {
    recordType,
    id: record.id,
    ...(record.externalId ? { externalId: record.externalId } : {}),
    tranId: record.tranId,
    ...(record.lastModifiedDate ? { lastModifiedDate: record.lastModifiedDate } : {}),
    eventType: 'create',
    ...('status' in record ? { status: { id: record.status.id, refName: record.status.refName } } : {}),
    occurredAt: new Date().toISOString(),
  } satisfies ErpWebhookPayload);
}
