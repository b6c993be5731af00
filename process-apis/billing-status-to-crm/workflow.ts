// The billing-status-to-crm workflow: read the invoice's client and engagement from ERP, roll
// their invoices up into the status the CRM shows, and write it to the opportunity and the
// account. Each write is of ERP's state read just before it and is checked against ERP read
// just after it (see writeUntilStable), so runs for late, reordered or retried events converge:
// a run retried after a CRM failure never writes the view it checkpointed minutes earlier.
import type { Store } from '../../core/store/index.js';
import { workflow, type WorkflowDefinition } from '../../core/workflows/index.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { emitOnce } from '../kit/business-events.js';
import { allPages, MASTER_DATA_MAX_PAGES } from '../kit/all-pages.js';
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
}

export const clientInvoices = (erp: ErpForBillingStatus, clientId: string): Promise<Invoice[]> =>
  allPages((cursor) => erp.listInvoices({ cursor, limit: 200, clientId }), MASTER_DATA_MAX_PAGES);

const sameRollup = (a: Rollup, b: Rollup) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Writes ERP's view as read now, then reads ERP again; if the view changed meanwhile, writes
 * again. Whichever run writes last has read ERP after its write and found it unchanged, so
 * the CRM ends equal to ERP however runs interleave. Bounded: a view that keeps changing
 * fails the attempt, and the engine retries it later.
 */
export async function writeUntilStable(
  readNow: () => Promise<Rollup>,
  write: (view: Rollup) => Promise<void>,
  rounds = 5,
): Promise<Rollup> {
  let view = await readNow();
  for (let i = 0; i < rounds; i++) {
    await write(view);
    const after = await readNow();
    if (sameRollup(after, view)) return view;
    view = after;
  }
  throw new Error(`ERP's billing view changed ${rounds} times while the CRM was being updated; trying again later`);
}

export function billingStatusWorkflow(deps: BillingStatusDeps): WorkflowDefinition<BillingStatusInput> {
  const today = deps.today ?? (() => new Date().toISOString().slice(0, 10));
  // A platform's refusal fails the run at once with its reason; anything else is retried.
  return workflow<BillingStatusInput>({
    name: BILLING_STATUS_WORKFLOW,
    journey: 'billing-status-to-crm',
    retry: { maxAttempts: 12, baseDelayMs: 250, maxDelayMs: 30_000 },
    refusals: 'permanent',
  })
    .step('read-invoice', {
      platform: 'erp',
      async run({ input }): Promise<ReadResult> {
        const invoiceId = input.invoiceId ?? (await deps.erp.getPayment(input.paymentId!)).invoiceId;
        const invoice = await deps.erp.getInvoice(invoiceId);
        const project = await deps.erp.getProject(invoice.engagementId);
        // Only who the invoice concerns: the update steps read the invoices' state themselves, at write time.
        return {
          invoiceId,
          clientId: invoice.clientId,
          engagementId: invoice.engagementId,
          opportunityId: project.opportunityId ?? null,
        };
      },
    })
    .step('update-opportunity', {
      platform: 'crm',
      async run({ results }) {
        const read = results['read-invoice'];
        if (!read.opportunityId) return { skipped: true };
        const opportunityId = read.opportunityId;
        const view = await writeUntilStable(
          async () =>
            rollup(
              (await clientInvoices(deps.erp, read.clientId)).filter((i) => i.engagementId === read.engagementId),
              today(),
            ),
          (v) =>
            deps.crm.setOpportunityBillingStatus(opportunityId, { status: v.status, invoiceStatus: v.invoiceStatus }).then(() => undefined),
        );
        return { opportunityId, status: view.status };
      },
    })
    .step('update-account', {
      platform: 'crm',
      async run({ results, runId }) {
        const read = results['read-invoice'];
        const crmClientId = await crmClientOf(deps.store.db, read.clientId);
        if (!crmClientId) return { skipped: true }; // a client the layer never provisioned from the CRM
        const account = await deps.crm.getClient(crmClientId);
        const view = await writeUntilStable(
          async () => rollup(await clientInvoices(deps.erp, read.clientId), today()),
          async (v) => {
            // A CRM record holds one currency: show what is owed in the account's currency.
            const currency = account.defaultCurrency ?? v.outstanding[0]?.currency;
            const outstanding = currency ? (v.outstanding.find((m) => m.currency === currency) ?? { amountMinor: 0, currency }) : null;
            await deps.crm.setClientBillingStatus(crmClientId, { status: v.status, invoiceStatus: v.invoiceStatus, outstanding });
          },
        );
        await recordSync(deps.store.db, read.clientId, crmClientId);
        await emitOnce(deps.store.db, {
          id: `${runId}:synced`,
          type: SYNCED_EVENT,
          source: SOURCE,
          subject: crmClientId,
          data: { clientId: read.clientId, crmClientId, invoiceId: read.invoiceId, status: view.status, outstanding: view.outstanding },
        });
        return { crmClientId, status: view.status };
      },
    })
    .build();
}
