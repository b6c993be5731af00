// ERP billing in the canonical model: invoices (create as draft or posted, post, hold,
// release) and payments, where one canonical payment is a NetSuite customer payment
// applied to one invoice.
import { ProblemError } from '../../core/problems.js';
import { newId } from '../../core/xref/index.js';
import type { Invoice, InvoiceCreate, InvoiceStatus, Payment, PaymentCreate } from './canonical.js';
import type { Page } from '../../core/paging.js';
import {
  applicationNativeId,
  invoiceExternalId,
  invoiceToCanonical,
  invoiceToNs,
  paymentApplications,
  paymentToCanonical,
  paymentToNs,
} from './mapping-billing.js';
import { type ErpContext, keysetCursor, sqlNativeId, type IdRef, type PageRequest } from './service-context.js';
import type { ErpMasterData } from './service-master-data.js';
import type { NsCustomerPayment, NsInvoice, NsPaymentApplication } from './vendor-types.js';

/** SuiteQL pre-filters per canonical status; the exact status is checked after mapping. */
const STATUS_CONDITIONS: Record<InvoiceStatus, string> = {
  draft: "status = 'D' AND custbody_billing_hold = 'F'",
  posted: "status = 'A' AND custbody_billing_hold = 'F'",
  'partially-paid': "status = 'A' AND custbody_billing_hold = 'F'",
  'on-hold': "status IN ('A', 'D') AND custbody_billing_hold = 'T'",
  paid: "status = 'B'",
  void: "status IN ('V', 'E')",
};

export class ErpBilling {
  constructor(
    private readonly ctx: ErpContext,
    private readonly masterData: ErpMasterData,
  ) {}

  // ---- invoices ---------------------------------------------------------------------------

  invoices(records: NsInvoice[]): Promise<Invoice[]> {
    const refsOf = (ns: NsInvoice): IdRef[] => [
      { entity: 'invoice', nativeId: ns.id, hint: ns.externalId },
      { entity: 'client', nativeId: ns.entity.id },
      { entity: 'legal-entity', nativeId: ns.subsidiary.id },
      ...(ns.job ? [{ entity: 'engagement' as const, nativeId: ns.job.id }] : []),
      ...(ns.item?.items ?? []).map((line, i) => ({ entity: 'invoice-line' as const, nativeId: `${ns.id}:${line.line ?? i + 1}` })),
    ];
    return this.ctx.mapPage(records, refsOf, (ns) => ns.currency.id, invoiceToCanonical);
  }

  async listInvoices(page: PageRequest & { clientId?: string; engagementId?: string; status?: InvoiceStatus }): Promise<Page<Invoice>> {
    const at = this.ctx.pageAt('invoices', page);
    const conditions = ["type = 'CustInvc'"];
    if (page.clientId) conditions.push(`entity = ${sqlNativeId(await this.ctx.nativeOf('client', page.clientId, '/query/clientId'))}`);
    if (page.engagementId) {
      // SuiteQL's transaction has no project column: filter by the project's customer, then by job.
      const project = await this.masterData.getProject(page.engagementId).catch((err: unknown) => {
        if (err instanceof ProblemError && err.status === 404) {
          throw new ProblemError('unprocessable-content', {
            detail: `No engagement ${page.engagementId}.`,
            errors: [{ pointer: '/query/engagementId', detail: 'unknown engagement' }],
          });
        }
        throw err;
      });
      conditions.push(`entity = ${sqlNativeId(await this.ctx.nativeOf('client', project.clientId))}`);
    }
    if (page.status) conditions.push(STATUS_CONDITIONS[page.status]);
    const { ids, nextCursor } = await this.ctx.pageOfIds('transaction', conditions, at);
    const records = await this.ctx.fetchRecords<NsInvoice>('invoice', ids);
    const items = (await this.invoices(records)).filter(
      (inv) => (!page.engagementId || inv.engagementId === page.engagementId) && (!page.status || inv.status === page.status),
    );
    return { items, nextCursor };
  }

  async getInvoice(id: string): Promise<Invoice> {
    const [invoice] = await this.invoices([await this.ctx.mustFetch<NsInvoice>('invoice', await this.ctx.nativeOf('invoice', id))]);
    return invoice!;
  }

  /**
   * Creates the invoice; with `sequence`, keyed in NetSuite by project, period and sequence (its
   * external id), so that a create whose answer was lost (a crash between the ERP write and the
   * caller recording it) finds the invoice it made instead of making a second one.
   */
  async findOrCreateInvoice(input: InvoiceCreate): Promise<{ invoice: Invoice; created: boolean }> {
    const jobId = await this.ctx.nativeOf('engagement', input.engagementId, '/engagementId');
    const externalId =
      input.sequence === undefined ? undefined : invoiceExternalId(input.engagementId, input.periodStart, input.periodEnd, input.sequence);
    if (externalId) {
      const existing = await this.ctx.connector.getRecord<NsInvoice>('invoice', `eid:${externalId}`);
      if (existing) {
        if (existing.job?.id !== jobId)
          throw new ProblemError('conflict', {
            detail: `ERP invoice ${existing.tranId} holds this invoice's key but bills another project.`,
          });
        return { invoice: await this.getInvoice(await this.ctx.ids.canonical('invoice', existing.id, externalId)), created: false };
      }
    }
    const project = await this.masterData.getProject(input.engagementId);
    if (project.billingHold) {
      throw new ProblemError('business-rule-violation', {
        detail: 'The project is on billing hold; nothing is invoiced until it is released.',
        errors: [{ pointer: '/engagementId', detail: 'on billing hold' }],
      });
    }
    if (project.status === 'cancelled' || project.status === 'draft') {
      throw new ProblemError('business-rule-violation', {
        detail: `The project is ${project.status}; it cannot be invoiced.`,
        errors: [{ pointer: '/engagementId', detail: `project is ${project.status}` }],
      });
    }
    if (input.periodEnd < input.periodStart) {
      throw new ProblemError('validation-failed', {
        detail: 'periodEnd is before periodStart.',
        errors: [{ pointer: '/periodEnd', detail: 'must not be before periodStart' }],
      });
    }
    const party = {
      customerId: await this.ctx.nativeOf('client', project.clientId),
      jobId,
      subsidiaryId: await this.ctx.nativeOf('legal-entity', project.legalEntityId),
      currency: project.currency,
    };
    const body = invoiceToNs(input, party, await this.ctx.toVendor([]));
    // The external id is the canonical id (keyed or fresh). Upsert, not create: two racing creates of one key are one invoice.
    const canonicalId = externalId ?? newId();
    const native = await this.ctx.connector.upsertRecord('invoice', canonicalId, body);
    return { invoice: await this.getInvoice(await this.ctx.ids.canonical('invoice', native, canonicalId)), created: true };
  }

  async createInvoice(input: InvoiceCreate): Promise<Invoice> {
    return (await this.findOrCreateInvoice(input)).invoice;
  }

  async postInvoice(id: string): Promise<Invoice> {
    const native = await this.ctx.nativeOf('invoice', id);
    const invoice = await this.getInvoice(id);
    if (invoice.status === 'on-hold') {
      throw new ProblemError('business-rule-violation', { detail: 'The invoice is on hold; release it before posting.' });
    }
    if (invoice.status !== 'draft') throw new ProblemError('conflict', { detail: `The invoice is already ${invoice.status}.` });
    await this.ctx.connector.approveInvoice(native);
    return this.getInvoice(id);
  }

  async holdInvoice(id: string, reason: string): Promise<Invoice> {
    const native = await this.ctx.nativeOf('invoice', id);
    const invoice = await this.getInvoice(id);
    if (invoice.status === 'paid' || invoice.status === 'void') {
      throw new ProblemError('business-rule-violation', { detail: `A ${invoice.status} invoice cannot be put on hold.` });
    }
    await this.ctx.connector.updateRecord('invoice', native, { custbody_billing_hold: true, custbody_hold_reason: reason });
    return this.getInvoice(id);
  }

  async releaseInvoice(id: string): Promise<Invoice> {
    const native = await this.ctx.nativeOf('invoice', id);
    const invoice = await this.getInvoice(id);
    if (invoice.status !== 'on-hold')
      throw new ProblemError('conflict', { detail: `The invoice is not on hold (it is ${invoice.status}).` });
    await this.ctx.connector.updateRecord('invoice', native, { custbody_billing_hold: false, custbody_hold_reason: '' });
    return this.getInvoice(id);
  }

  // ---- payments -------------------------------------------------------------------------------

  private async payments(ns: NsCustomerPayment, only?: (a: NsPaymentApplication) => boolean): Promise<Payment[]> {
    const applications = paymentApplications(ns).filter((a) => !only || only(a));
    // A payment the layer recorded carries its canonical id as external id (one application).
    const hint = applications.length === 1 ? ns.externalId : undefined;
    const map = await this.ctx.toCanonical(
      [
        { entity: 'client', nativeId: ns.customer.id },
        ...applications.flatMap((a) => [
          { entity: 'payment' as const, nativeId: applicationNativeId(ns.id, a.doc.id), hint },
          { entity: 'invoice' as const, nativeId: a.doc.id },
        ]),
      ],
      [ns.currency.id],
    );
    return applications.map((a) => paymentToCanonical(ns, a, map));
  }

  async listPayments(page: PageRequest & { clientId?: string; invoiceId?: string }): Promise<Page<Payment>> {
    const at = this.ctx.pageAt('payments', page);
    const conditions = ["type = 'CustPymt'"];
    let invoiceNative: string | undefined;
    if (page.invoiceId) {
      invoiceNative = await this.ctx.nativeOf('invoice', page.invoiceId, '/query/invoiceId');
      const invoice = await this.getInvoice(page.invoiceId);
      conditions.push(`entity = ${sqlNativeId(await this.ctx.nativeOf('client', invoice.clientId))}`);
    }
    if (page.clientId) conditions.push(`entity = ${sqlNativeId(await this.ctx.nativeOf('client', page.clientId, '/query/clientId'))}`);
    const { ids, nextCursor } = await this.ctx.pageOfIds('transaction', conditions, at);
    const records = await this.ctx.fetchRecords<NsCustomerPayment>('customerPayment', ids);
    const items: Payment[] = [];
    for (const [i, record] of records.entries()) {
      const payments = await this.payments(record, invoiceNative ? (a) => a.doc.id === invoiceNative : undefined);
      // A customer payment applied to many invoices is many canonical payments: keep the page
      // within its limit by ending it before a payment that would overflow it.
      if (items.length > 0 && items.length + payments.length > at.limit) {
        return { items, nextCursor: keysetCursor(at, records[i - 1]!.id) };
      }
      items.push(...payments);
    }
    return { items, nextCursor };
  }

  async getPayment(id: string): Promise<Payment> {
    const native = await this.ctx.nativeOf('payment', id);
    const [paymentId, invoiceId] = native.split(':');
    const record = await this.ctx.mustFetch<NsCustomerPayment>('customerPayment', paymentId!);
    const [payment] = await this.payments(record, (a) => a.doc.id === invoiceId);
    if (!payment) throw new ProblemError('not-found', { detail: `Payment ${id} is no longer applied in ERP.` });
    return payment;
  }

  async recordPayment(input: PaymentCreate): Promise<Payment> {
    const invoiceNative = await this.ctx.nativeOf('invoice', input.invoiceId, '/invoiceId');
    const invoice = await this.getInvoice(input.invoiceId);
    if (invoice.status !== 'posted' && invoice.status !== 'partially-paid') {
      throw new ProblemError('business-rule-violation', {
        detail: `The invoice is ${invoice.status}; payments apply to posted invoices only.`,
        errors: [{ pointer: '/invoiceId', detail: `invoice is ${invoice.status}` }],
      });
    }
    if (input.amount.currency !== invoice.currency) {
      throw new ProblemError('validation-failed', {
        detail: `The payment is in ${input.amount.currency}; the invoice is in ${invoice.currency}.`,
        errors: [{ pointer: '/amount/currency', detail: `must be ${invoice.currency}` }],
      });
    }
    if (input.amount.amountMinor <= 0 || input.amount.amountMinor > invoice.amountOutstanding.amountMinor) {
      throw new ProblemError('business-rule-violation', {
        detail: `The amount must be more than 0 and at most the amount outstanding (${invoice.amountOutstanding.amountMinor} minor units).`,
        errors: [{ pointer: '/amount/amountMinor', detail: 'out of range' }],
      });
    }
    const customerId = await this.ctx.nativeOf('client', invoice.clientId);
    const body = paymentToNs(input, { id: invoiceNative, customerId, currency: invoice.currency }, await this.ctx.toVendor([]));
    const canonicalId = newId();
    const native = await this.ctx.connector.upsertRecord('customerPayment', canonicalId, body);
    await this.ctx.ids.link('payment', canonicalId, applicationNativeId(native, invoiceNative));
    return this.getPayment(canonicalId);
  }
}
