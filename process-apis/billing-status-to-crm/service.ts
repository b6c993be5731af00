// Billing-status-to-crm as one typed in-process API: start runs (per invoice or ERP document
// change), read an account's billing status, take ERP webhooks and polled changes, and reconcile.
import type { Transaction } from 'kysely';
import { consumeOnce } from '../../core/events/index.js';
import type { InboxMessage } from '../../core/inbox/index.js';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { retryRun, type WorkflowDefinition, type WorkflowEngine } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/billing-status-to-crm.v1.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { readBillingChange, type BillingChange } from '../../system-apis/erp/index.js';
import { listRunViews, loadRun, type JourneyRuns, type Run, type RunQuery } from '../kit/run-view.js';
import { erpClientOf } from '../kit/client-links.js';
import { daysSalesOutstanding, isIssued, isOverdue, rollup } from './status.js';
import { lastSync, linkedErpClients } from './sync-record.js';
import { noBillingStatusMetrics, type BillingStatusMetrics } from './metrics.js';
import type { PolledBillingMessage } from './polling.js';
import {
  BILLING_STATUS_WORKFLOW,
  billingStatusWorkflow,
  clientInvoices,
  type BillingStatusDeps,
  type BillingStatusInput,
} from './workflow.js';

export type AccountBillingStatus = components['schemas']['AccountBillingStatus'];
type InvoiceBillingStatus = components['schemas']['InvoiceBillingStatus'];

export interface AccountPosition extends AccountBillingStatus {
  openInvoiceCount: number;
  overdueInvoiceCount: number;
  /** Days sales outstanding (90 days) per currency invoiced. */
  daysSalesOutstanding: Record<string, number>;
}

export const BILLING_RUNS: JourneyRuns = {
  journey: 'billing-status-to-crm',
  definitions: [BILLING_STATUS_WORKFLOW],
  subjectField: 'invoiceId',
};

/** ERP event types on the process API's /events (data.invoiceId). */
export const INVOICE_EVENTS = [
  'com.psconnect.erp.invoice.posted',
  'com.psconnect.erp.invoice.on-hold',
  'com.psconnect.erp.invoice.paid',
  'com.psconnect.erp.invoice.changed',
] as const;

export interface BillingStatusToCrmApi {
  startRun(invoiceId: string, trigger: BillingStatusInput['trigger']): Promise<{ run: Run; created: boolean }>;
  listRuns(query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }>;
  getRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<Run>;
  receiveEvent(event: { id: string; source: string; type: string; data?: unknown }): Promise<{ duplicate: boolean }>;
  /** The account's invoices and amounts; `clientId` is the CRM account's id or the ERP client's. */
  getAccountBillingStatus(clientId: string): Promise<AccountPosition>;
  /**
   * A run that brings one ERP client's CRM account and its projects' opportunities (only
   * `engagementId`'s when given) in step with ERP, keyed `client:<clientId>#<reason>`: the same
   * reason starts one run however often it is asked (reconciliation's repair).
   */
  syncClient(
    clientId: string,
    options: { reason: string; engagementId?: string; trigger: BillingStatusInput['trigger'] },
  ): Promise<{ run: Run; created: boolean }>;
  /** One reconciling pass: a run for every invoice of a provisioned client whose state changed. Returns runs started. */
  reconcile(): Promise<number>;
  /** The inbox handler for ERP webhooks (mount under the `erp` webhook source); one not followed is logged and counted. */
  onErpWebhook(message: InboxMessage, ctx: { trx: Transaction<Database> }): Promise<boolean>;
  /** The inbox handler for ERP's polled billing changes (source `erp-poll`, see polling.ts). */
  onErpPoll(message: InboxMessage, ctx: { trx: Transaction<Database> }): Promise<boolean>;
}

export function billingStatusWorkflows(deps: BillingStatusDeps): WorkflowDefinition<unknown>[] {
  return [billingStatusWorkflow(deps) as WorkflowDefinition<unknown>];
}

/** What an invoice looks like now: a run per distinct state, so a repeated poll starts nothing. */
const stateKey = (inv: Invoice) => `${inv.status}:${inv.amountOutstanding.amountMinor}`;

function invoiceView(inv: Invoice, opportunityId: string | undefined, today: string): InvoiceBillingStatus {
  return {
    invoiceId: inv.id,
    ...(inv.number ? { number: inv.number } : {}),
    engagementId: inv.engagementId,
    ...(opportunityId ? { opportunityId } : {}),
    status: inv.status,
    ...(inv.issueDate ? { issueDate: inv.issueDate } : {}),
    ...(inv.dueDate ? { dueDate: inv.dueDate } : {}),
    total: inv.total,
    amountPaid: inv.amountPaid,
    amountOutstanding: inv.amountOutstanding,
    overdue: isOverdue(inv, today),
  };
}

export function createBillingStatusToCrmApi(
  deps: BillingStatusDeps & {
    engine: WorkflowEngine;
    erpForProjects: { getProject(id: string): Promise<{ opportunityId?: string }> };
    logger?: Logger;
    metrics?: BillingStatusMetrics;
  },
): BillingStatusToCrmApi {
  const db = deps.store.db;
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  const start = async (invoiceId: string, key: string, trigger: BillingStatusInput['trigger'], trx?: Transaction<Database>) =>
    deps.engine.startRun<BillingStatusInput>(
      BILLING_STATUS_WORKFLOW,
      { invoiceId, trigger },
      { runKey: `${invoiceId}#${key}`, ...(trx ? { db: trx } : {}) },
    );

  const metrics = deps.metrics ?? noBillingStatusMetrics;
  /**
   * One run per change of an ERP document, keyed by the change (document, last-modified time and,
   * for an invoice, its state), so that the webhook and the feed reporting the same change start
   * one run. An invoice the layer created keeps its canonical id as the run's subject.
   */
  const startForChange = async (
    change: BillingChange,
    fallbackKey: string,
    trigger: BillingStatusInput['trigger'],
    trx: Transaction<Database>,
  ) => {
    const input: BillingStatusInput = { document: change.document, ...(change.invoiceId ? { invoiceId: change.invoiceId } : {}), trigger };
    const runKey = `${change.invoiceId ?? change.document}#${change.changeKey ?? fallbackKey}`;
    await deps.engine.startRun<BillingStatusInput>(BILLING_STATUS_WORKFLOW, input, { runKey, db: trx });
    return true;
  };

  const api: BillingStatusToCrmApi = {
    async startRun(invoiceId, trigger) {
      const invoice = await deps.erp.getInvoice(invoiceId); // 404 for an unknown invoice
      const started = await start(invoiceId, stateKey(invoice), trigger);
      return { run: await loadRun(db, BILLING_RUNS, started.id), created: started.created };
    },
    async syncClient(clientId, { reason, engagementId, trigger }) {
      const started = await deps.engine.startRun<BillingStatusInput>(
        BILLING_STATUS_WORKFLOW,
        { clientId, ...(engagementId ? { engagementId } : {}), trigger },
        { runKey: `client:${clientId}#${reason}` },
      );
      return { run: await loadRun(db, BILLING_RUNS, started.id), created: started.created };
    },
    listRuns: (query) => listRunViews(db, BILLING_RUNS, query),
    getRun: (runId) => loadRun(db, BILLING_RUNS, runId),
    async retryRun(runId) {
      await loadRun(db, BILLING_RUNS, runId);
      await retryRun(db, runId);
      return loadRun(db, BILLING_RUNS, runId);
    },
    async receiveEvent(event) {
      const wanted = (INVOICE_EVENTS as readonly string[]).includes(event.type);
      const invoiceId = (event.data as { invoiceId?: unknown } | undefined)?.invoiceId;
      if (wanted && typeof invoiceId !== 'string') {
        throw new ProblemError('unprocessable-content', {
          detail: `${event.type} needs data.invoiceId.`,
          errors: [{ pointer: '/data/invoiceId', detail: 'required' }],
        });
      }
      const fresh = await consumeOnce(db, 'process:billing-status-to-crm', event, async (trx) => {
        if (wanted) await start(invoiceId as string, `event:${event.source}:${event.id}`, 'event', trx);
      });
      if (fresh && wanted) deps.engine.kick();
      return { duplicate: !fresh };
    },
    async getAccountBillingStatus(clientId) {
      const erpClientId = (await erpClientOf(db, clientId)) ?? clientId;
      const invoices = (await clientInvoices(deps.erp, erpClientId)).filter(isIssued);
      const day = today();
      const opportunityOf = new Map<string, string | undefined>();
      for (const engagementId of new Set(invoices.map((i) => i.engagementId))) {
        opportunityOf.set(engagementId, (await deps.erpForProjects.getProject(engagementId)).opportunityId);
      }
      const totals = rollup(invoices, day);
      const currencies = [...new Set(invoices.map((i) => i.currency))];
      const synced = await lastSync(db, erpClientId);
      return {
        clientId,
        invoices: invoices.slice(0, 500).map((inv) => invoiceView(inv, opportunityOf.get(inv.engagementId), day)),
        outstanding: totals.outstanding,
        overdue: totals.overdue,
        syncedAt: (synced ?? new Date()).toISOString(),
        openInvoiceCount: invoices.filter((i) => i.status !== 'paid' && i.amountOutstanding.amountMinor > 0).length,
        overdueInvoiceCount: invoices.filter((i) => isOverdue(i, day)).length,
        daysSalesOutstanding: Object.fromEntries(currencies.map((c) => [c, daysSalesOutstanding(invoices, c, day)])),
      };
    },
    async reconcile() {
      let started = 0;
      for (const clientId of await linkedErpClients(db)) {
        for (const inv of (await clientInvoices(deps.erp, clientId)).filter(isIssued)) {
          if ((await start(inv.id, stateKey(inv), 'schedule')).created) started += 1;
        }
      }
      return started;
    },
    async onErpWebhook(message, { trx }) {
      const change = readBillingChange(message.payload);
      if ('ignored' in change) {
        metrics.ignoredWebhook(change.ignored);
        deps.logger?.info({ webhookId: message.webhookId, reason: change.ignored, detail: change.detail }, 'ERP webhook not followed');
        return false;
      }
      return startForChange(change, `webhook:${message.webhookId}`, 'event', trx);
    },
    async onErpPoll(message, { trx }) {
      const polled = message.payload as Partial<PolledBillingMessage> | undefined;
      if (typeof polled?.document !== 'string' || typeof polled.changeKey !== 'string') {
        deps.logger?.warn({ webhookId: message.webhookId }, 'polled ERP change without document or change key; not followed');
        return false;
      }
      const change: BillingChange = {
        document: polled.document,
        changeKey: polled.changeKey,
        ...(typeof polled.invoiceId === 'string' ? { invoiceId: polled.invoiceId } : {}),
      };
      return startForChange(change, polled.changeKey, 'schedule', trx);
    },
  };
  return api;
}
