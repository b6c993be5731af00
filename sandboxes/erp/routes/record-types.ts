// Per-record-type rules of the sandbox: which fields exist, which are required and which
// reference other records, defaults NetSuite fills in, and the side effects of writes
// (invoice totals and status, payment application, webhooks).
import type { NsCustomerPayment, NsInvoice } from '../vendor-types.js';
import { checkChoice, checkDate, normaliseLines, PAYMENT_METHODS } from './record-checks.js';
import { creditMemo, customerRefund } from './record-types-credits.js';
import { invalidField, NsFault } from '../errors.js';
import { applyPayment, minorOf, currencyCode, nextInvoiceNumber, nextPaymentNumber, recomputeInvoice, setApproval } from '../ledger.js';
import { timestamp, type ErpRecordType, type ErpState } from '../state.js';
import { emitHoldEvent, emitInvoiceEvents, emitPaymentEvent, type ErpEvents, type InvoiceChange } from '../webhooks.js';

type Body = Record<string, unknown>;
type Stored = Record<string, unknown> & { id: string };

export interface RecordTypeRules {
  /** Fields a create or update may carry (besides externalId). */
  fields: readonly string[];
  required: readonly string[];
  /** Reference fields and the record type they point to. */
  refs: Readonly<Record<string, ErpRecordType>>;
  /** Sublist fields, returned as links unless `expandSubResources=true`. */
  sublists?: readonly string[];
  /** Fields an update may change (default: all `fields`). */
  updatable?: readonly string[];
  /** Stored fields REST web services do not expose on reads (the sandbox still keeps them for SuiteQL). */
  hidden?: readonly string[];
  writable: boolean;
  create?(state: ErpState, record: Stored, events: ErpEvents): void;
  update?(state: ErpState, record: Stored, patch: Body, events: ErpEvents): void;
  remove?(state: ErpState, record: Stored): void;
}

const BILLING_TYPES = { TM: 'Time and Materials', FBI: 'Fixed Bid, Interval', FBM: 'Fixed Bid, Milestone', CB: 'Charge-Based' };
const JOB_STATUSES = { '1': 'Closed', '2': 'In Progress', '3': 'Not Awarded', '4': 'Pending', '5': 'On Hold' };

const customer: RecordTypeRules = {
  fields: [
    'entityId',
    'companyName',
    'isPerson',
    'subsidiary',
    'currency',
    'email',
    'url',
    'vatRegNumber',
    'custentity_billing_country',
    'isInactive',
    'custentity_canonical_id',
  ],
  required: ['companyName', 'subsidiary'],
  refs: { subsidiary: 'subsidiary', currency: 'currency' },
  writable: true,
  create(state, record) {
    record.entityId ??= `CUST-${record.id}`;
    record.isPerson ??= false;
    record.isInactive ??= false;
    record.currency ??= state.records.subsidiary.get((record.subsidiary as { id: string }).id)!.currency;
  },
};

const job: RecordTypeRules = {
  fields: [
    'entityId',
    'companyName',
    'parent',
    'subsidiary',
    'currency',
    'jobBillingType',
    'entityStatus',
    'startDate',
    'projectedEndDate',
    'estimatedRevenue',
    'custentity_rate_card',
    'custentity_canonical_id',
    'custentity_billing_hold',
    'custentity_opportunity_id',
  ],
  required: ['companyName', 'parent'],
  refs: { parent: 'customer', subsidiary: 'subsidiary', currency: 'currency', custentity_rate_card: 'customrecord_rate_card' },
  writable: true,
  create(state, record) {
    const parent = state.records.customer.get((record.parent as { id: string }).id)!;
    record.entityId ??= `${parent.entityId}-P${record.id}`;
    record.subsidiary ??= parent.subsidiary;
    record.currency ??= parent.currency;
    record.jobBillingType ??= { id: 'TM', refName: BILLING_TYPES.TM };
    record.entityStatus ??= { id: '4', refName: JOB_STATUSES['4'] };
    validateJob(state, record);
  },
  update(state, record) {
    validateJob(state, record);
  },
};

function validateJob(state: ErpState, record: Stored): void {
  checkChoice(record, 'jobBillingType', BILLING_TYPES);
  checkChoice(record, 'entityStatus', JOB_STATUSES);
  checkDate(record, 'startDate');
  checkDate(record, 'projectedEndDate');
  if (record.estimatedRevenue !== undefined && record.estimatedRevenue !== null) {
    minorOf(record.estimatedRevenue, currencyCode(state, (record.currency as { id: string }).id), 'estimatedRevenue');
  }
}

const invoice: RecordTypeRules = {
  fields: [
    'entity',
    'job',
    'subsidiary',
    'currency',
    'tranDate',
    'dueDate',
    'approvalStatus',
    'item',
    'memo',
    'custbody_billing_hold',
    'custbody_hold_reason',
    'custbody_period_start',
    'custbody_period_end',
  ],
  required: ['entity', 'item'],
  refs: { entity: 'customer', job: 'job', subsidiary: 'subsidiary', currency: 'currency' },
  sublists: ['item'],
  updatable: ['dueDate', 'memo', 'custbody_billing_hold', 'custbody_hold_reason', 'item', 'approvalStatus'],
  writable: true,
  create(state, record, events) {
    const entity = state.records.customer.get((record.entity as { id: string }).id)!;
    if (record.job) {
      const job = state.records.job.get((record.job as { id: string }).id)!;
      if (job.parent.id !== entity.id) throw invalidField('job', `Project ${job.entityId} does not belong to customer ${entity.entityId}.`);
    }
    record.subsidiary ??= entity.subsidiary;
    record.currency ??= entity.currency;
    record.tranDate ??= timestamp(state.now()).slice(0, 10);
    checkDate(record, 'tranDate');
    checkDate(record, 'dueDate');
    checkDate(record, 'custbody_period_start');
    checkDate(record, 'custbody_period_end');
    normaliseLines(record);
    const doc = record as unknown as NsInvoice;
    setApproval(doc, String((record.approvalStatus as { id?: unknown } | undefined)?.id ?? '2') === '1' ? '1' : '2');
    doc.tranId = nextInvoiceNumber(state, doc.subsidiary.id);
    doc.amountPaid = 0;
    doc.custbody_billing_hold ??= false;
    recomputeInvoice(state, doc);
    emitInvoiceEvents(events, doc, 'create');
  },
  update(state, record, patch, events) {
    const doc = record as unknown as NsInvoice;
    const before = doc.status.id;
    const heldBefore = Boolean(state.records.invoice.get(doc.id)?.custbody_billing_hold);
    if (patch.item !== undefined) {
      if (Number(doc.amountPaid ?? 0) > 0)
        throw new NsFault(400, 'USER_ERROR', `Invoice ${doc.tranId} has payments applied; its lines cannot change.`, {
          'o:errorPath': 'item',
        });
      normaliseLines(record);
    }
    // Approval is this field (1 Pending Approval, 2 Approved, 3 Rejected): only a pending invoice
    // moves, and an approved one has posted, so it never returns to pending.
    let change: InvoiceChange = 'edit';
    if (patch.approvalStatus !== undefined) {
      const id = String((patch.approvalStatus as { id?: unknown } | null)?.id);
      if (!['1', '2', '3'].includes(id)) throw invalidField('approvalStatus');
      const approvalBefore = state.records.invoice.get(doc.id)?.approvalStatus.id ?? '1';
      if (approvalBefore !== '1' && id !== approvalBefore)
        throw invalidField('approvalStatus', `Invoice ${doc.tranId} is no longer pending approval.`);
      if (approvalBefore === '1' && id !== '1') change = id === '2' ? 'approve' : 'reject';
      setApproval(doc, id as '1' | '2' | '3');
    }
    checkDate(record, 'dueDate');
    recomputeInvoice(state, doc);
    // The user-event script reports an approval as such, whichever way it was made.
    emitInvoiceEvents(events, doc, change, before);
    if (Boolean(doc.custbody_billing_hold) !== heldBefore) emitHoldEvent(events, doc);
  },
  remove(_state, record) {
    if (Number((record as unknown as NsInvoice).amountPaid ?? 0) > 0)
      throw new NsFault(400, 'USER_ERROR', 'This invoice has payments applied and cannot be deleted.');
  },
};

const customerPayment: RecordTypeRules = {
  fields: ['customer', 'subsidiary', 'currency', 'tranDate', 'payment', 'apply', 'memo', 'paymentMethod', 'checkNum'],
  required: ['customer', 'payment'],
  refs: { customer: 'customer', subsidiary: 'subsidiary', currency: 'currency' },
  sublists: ['apply'],
  updatable: ['memo', 'checkNum'],
  writable: true,
  create(state, record, events) {
    checkChoice(record, 'paymentMethod', PAYMENT_METHODS);
    const payer = state.records.customer.get((record.customer as { id: string }).id)!;
    record.subsidiary ??= payer.subsidiary;
    record.currency ??= payer.currency;
    record.tranDate ??= timestamp(state.now()).slice(0, 10);
    checkDate(record, 'tranDate');
    const apply = record.apply as { items?: unknown } | undefined;
    if (apply !== undefined && (typeof apply !== 'object' || !Array.isArray(apply.items))) throw invalidField('apply');
    record.apply = { items: (apply?.items as unknown[] | undefined) ?? [] };
    const doc = record as unknown as NsCustomerPayment;
    const changes = applyPayment(state, doc);
    doc.tranId = nextPaymentNumber(state);
    for (const change of changes) {
      change.invoice.lastModifiedDate = timestamp(state.now());
      emitInvoiceEvents(events, change.invoice, 'payment', change.previousStatus);
    }
    emitPaymentEvent(events, doc);
  },
  remove(_state, record) {
    if (Number((record as unknown as NsCustomerPayment).applied ?? 0) > 0) {
      throw new NsFault(400, 'USER_ERROR', 'This payment is applied to invoices; unapply it before deleting.');
    }
  },
};

const rateCard: RecordTypeRules = {
  fields: [
    'name',
    'custrecord_rc_subsidiary',
    'custrecord_rc_currency',
    'custrecord_rc_customer',
    'custrecord_rc_effective_from',
    'custrecord_rc_effective_to',
    'custrecord_rc_rates',
    'custrecord_rc_status',
  ],
  required: ['name', 'custrecord_rc_subsidiary', 'custrecord_rc_currency', 'custrecord_rc_effective_from', 'custrecord_rc_rates'],
  refs: { custrecord_rc_subsidiary: 'subsidiary', custrecord_rc_currency: 'currency', custrecord_rc_customer: 'customer' },
  writable: true,
  create(_state, record) {
    record.custrecord_rc_status ??= { id: '2' };
    checkChoice(record, 'custrecord_rc_status', { '1': 'Draft', '2': 'Active', '3': 'Superseded' });
    checkDate(record, 'custrecord_rc_effective_from');
    checkDate(record, 'custrecord_rc_effective_to');
    if (typeof record.custrecord_rc_rates !== 'string') throw invalidField('custrecord_rc_rates');
  },
};

const TASK_STATUSES = { NOTSTART: 'Not Started', PROGRESS: 'In Progress', COMPLETE: 'Completed' };

/**
 * Project tasks. Those flagged `isMilestone` carry a fee (`custevent_ms_amount`, in the
 * project's currency). Completing one stamps its completion date; a milestone an invoice
 * has billed cannot be reopened, re-priced or billed by another invoice.
 */
const projectTask: RecordTypeRules = {
  fields: [
    'project',
    'title',
    'isMilestone',
    'status',
    'startDate',
    'finishByDate',
    'custevent_ms_amount',
    'custevent_ms_completed_on',
    'custevent_ms_invoice',
  ],
  required: ['project', 'title'],
  refs: { project: 'job', custevent_ms_invoice: 'invoice' },
  updatable: ['title', 'status', 'startDate', 'finishByDate', 'custevent_ms_amount', 'custevent_ms_completed_on', 'custevent_ms_invoice'],
  hidden: ['isMilestone'],
  writable: true,
  create(state, record) {
    record.status ??= { id: 'NOTSTART' };
    record.isMilestone = Boolean(record.isMilestone);
    validateTask(state, record);
  },
  update(state, record, patch) {
    const before = state.records.projectTask.get(record.id)!;
    if (before.custevent_ms_invoice) {
      const invoiceId = (patch.custevent_ms_invoice as { id?: string } | undefined)?.id;
      if (invoiceId !== undefined && invoiceId !== before.custevent_ms_invoice.id) {
        throw new NsFault(
          400,
          'USER_ERROR',
          `Milestone ${before.title} is already billed on invoice ${before.custevent_ms_invoice.refName ?? before.custevent_ms_invoice.id}.`,
          { 'o:errorPath': 'custevent_ms_invoice' },
        );
      }
      const changed =
        (record.status as { id?: unknown }).id !== before.status.id ||
        record.custevent_ms_amount !== before.custevent_ms_amount ||
        record.custevent_ms_completed_on !== before.custevent_ms_completed_on;
      if (changed)
        throw new NsFault(400, 'USER_ERROR', `Milestone ${before.title} is billed; its status, amount and completion date cannot change.`);
    }
    validateTask(state, record);
  },
};

function validateTask(state: ErpState, record: Stored): void {
  checkChoice(record, 'status', TASK_STATUSES);
  checkDate(record, 'startDate');
  checkDate(record, 'finishByDate');
  checkDate(record, 'custevent_ms_completed_on');
  if (typeof record.title !== 'string' || record.title.trim() === '' || record.title.length > 256) throw invalidField('title');
  const job = state.records.job.get((record.project as { id: string }).id)!;
  if (record.custevent_ms_amount !== undefined && record.custevent_ms_amount !== null) {
    if (minorOf(record.custevent_ms_amount, currencyCode(state, job.currency.id), 'custevent_ms_amount') < 0)
      throw invalidField('custevent_ms_amount');
  }
  const status = (record.status as { id: string }).id;
  if (status === 'COMPLETE') record.custevent_ms_completed_on ??= timestamp(state.now()).slice(0, 10);
  // A task that is not (or no longer) completed has no completion date.
  else record.custevent_ms_completed_on = undefined;
  if (record.custevent_ms_invoice) {
    if (status !== 'COMPLETE') throw invalidField('custevent_ms_invoice', 'Only a completed milestone can be billed.');
    const invoice = state.records.invoice.get((record.custevent_ms_invoice as { id: string }).id)!;
    if (invoice.job?.id !== job.id)
      throw invalidField('custevent_ms_invoice', `Invoice ${invoice.tranId} does not bill project ${job.entityId}.`);
  }
}

const readOnly = (refs: Record<string, ErpRecordType> = {}): RecordTypeRules => ({ fields: [], required: [], refs, writable: false });

export const RULES: Record<ErpRecordType, RecordTypeRules> = {
  customer,
  job,
  invoice,
  customerPayment,
  creditMemo,
  customerRefund,
  customrecord_rate_card: rateCard,
  projectTask,
  subsidiary: readOnly({ currency: 'currency' }),
  currency: readOnly(),
};

/** Checks that reference fields point at existing records and fills their refName. */
export function resolveRefs(state: ErpState, rules: RecordTypeRules, body: Body): void {
  for (const [field, type] of Object.entries(rules.refs)) {
    const value = body[field];
    if (value === undefined) continue;
    const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    const target = id !== undefined ? state.records[type].get(String(id)) : undefined;
    if (!target) throw invalidField(field);
    const named = target as { name?: string; companyName?: string; symbol?: string; tranId?: string; entityId?: string };
    body[field] = { id: String(id), refName: named.companyName ?? named.name ?? named.entityId ?? named.symbol ?? named.tranId };
  }
}
