// The billing-status-to-crm workflow: read the invoice's client and engagement from ERP, roll
// their invoices up into the status the CRM shows, and write it to the opportunity and the
// account. Each run reads ERP afresh, so runs for late or reordered events converge.
import type { Store } from '../../core/store/index.js';
import { defineWorkflow, type StepContext, type WorkflowDefinition } from '../../core/workflows/index.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { emitOnce } from '../kit/business-events.js';
import { refusalsArePermanent } from '../kit/step-errors.js';
import { allPages } from '../opportunity-to-project/ports.js';
import type { CrmForBillingStatus, ErpForBillingStatus } from './ports.js';
import { rollup, type Rollup } from './status.js';
import { crmClientOf, recordSync } from './sync-record.js';

export const BILLING_STATUS_WORKFLOW = 'billing-status-to-crm';
export const SYNCED_EVENT = 'com.psconnect.crm.billing-status-synced';
const SOURCE = '/process/billing-status-to-crm';

export interface BillingStatusInput {
  /** The invoice whose status changed … */
  invoiceId?: string;
  /** … or a payment, whose invoice is looked up. */
  paymentId?: string;
  trigger: 'api' | 'event' | 'schedule' | 'replay';
}

export interface BillingStatusDeps {
  store: Store;
  erp: ErpForBillingStatus;
  crm: CrmForBillingStatus;
  today?: () => string;
}

interface ReadResult {
  invoiceId: string;
  clientId: string;
  engagementId: string;
  opportunityId: string | null;
  account: Rollup;
  opportunity: Rollup;
}

export const clientInvoices = (erp: ErpForBillingStatus, clientId: string): Promise<Invoice[]> =>
  allPages((cursor) => erp.listInvoices({ cursor, limit: 200, clientId }));

export function billingStatusWorkflow(deps: BillingStatusDeps): WorkflowDefinition<BillingStatusInput> {
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  const definition = defineWorkflow<BillingStatusInput>({
    name: BILLING_STATUS_WORKFLOW,
    retry: { maxAttempts: 12, baseDelayMs: 250, maxDelayMs: 30_000 },
    steps: [
      {
        name: 'read-invoice',
        platform: 'erp',
        async run({ input }): Promise<ReadResult> {
          const invoiceId = input.invoiceId ?? (await deps.erp.getPayment(input.paymentId!)).invoiceId;
          const invoice = await deps.erp.getInvoice(invoiceId);
          const project = await deps.erp.getProject(invoice.engagementId);
          const invoices = await clientInvoices(deps.erp, invoice.clientId);
          const day = today();
          return {
            invoiceId, clientId: invoice.clientId, engagementId: invoice.engagementId, opportunityId: project.opportunityId ?? null,
            account: rollup(invoices, day), opportunity: rollup(invoices.filter((i) => i.engagementId === invoice.engagementId), day),
          };
        },
      },
      {
        name: 'update-opportunity',
        platform: 'crm',
        async run({ results }) {
          const read = results['read-invoice'] as ReadResult;
          if (!read.opportunityId) return { skipped: true };
          await deps.crm.setOpportunityBillingStatus(read.opportunityId, { status: read.opportunity.status, invoiceStatus: read.opportunity.invoiceStatus });
          return { opportunityId: read.opportunityId, status: read.opportunity.status };
        },
      },
      {
        name: 'update-account',
        platform: 'crm',
        async run({ results, runId }) {
          const read = results['read-invoice'] as ReadResult;
          const crmClientId = await crmClientOf(deps.store.db, read.clientId);
          if (!crmClientId) return { skipped: true }; // a client the layer never provisioned from the CRM
          const account = await deps.crm.getClient(crmClientId);
          // A CRM record holds one currency: show what is owed in the account's currency.
          const currency = account.defaultCurrency ?? read.account.outstanding[0]?.currency;
          const outstanding = currency ? (read.account.outstanding.find((m) => m.currency === currency) ?? { amountMinor: 0, currency }) : null;
          await deps.crm.setClientBillingStatus(crmClientId, { status: read.account.status, invoiceStatus: read.account.invoiceStatus, outstanding });
          await recordSync(deps.store.db, read.clientId, crmClientId);
          await emitOnce(deps.store.db, {
            id: `${runId}:synced`, type: SYNCED_EVENT, source: SOURCE, subject: crmClientId,
            data: { clientId: read.clientId, crmClientId, invoiceId: read.invoiceId, status: read.account.status, outstanding: read.account.outstanding },
          });
          return { crmClientId, status: read.account.status };
        },
      },
    ],
  });
  return { ...definition, steps: definition.steps.map((step) => ({ ...step, run: (ctx: StepContext<BillingStatusInput>) => refusalsArePermanent(() => step.run(ctx)) })) };
}
