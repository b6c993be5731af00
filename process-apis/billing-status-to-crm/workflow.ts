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
import { accountBillingView, opportunityBillingView, rollup, type Rollup } from './status.js';
import { crmClientOf, recordSync } from './sync-record.js';

export const BILLING_STATUS_WORKFLOW = 'billing-status-to-crm';
export const SYNCED_EVENT = 'com.psconnect.crm.billing-status-synced';
const SOURCE = '/process/billing-status-to-crm';

export interface BillingStatusInput {
  /** The invoice whose status changed … */
  invoiceId?: string;
  /** … or a payment, whose invoice is looked up … */
  paymentId?: string;
  /** … or an ERP billing document (invoice, payment, credit memo, refund, from a webhook or the feed), whose invoices are looked up … */
  document?: string;
  /**
   * … or an ERP client: its CRM account and the opportunity of each of its projects (only
   * `engagementId`'s when given) are brought in step with ERP (reconciliation's repair).
   */
  clientId?: string;
  engagementId?: string;
  trigger: 'api' | 'event' | 'schedule' | 'replay';
}

export interface BillingStatusDeps {
  store: Store;
  erp: ErpForBillingStatus;
  crm: CrmForBillingStatus;
  today?: () => string;
}

interface InvoiceParty {
  /** The invoice that brought the party in; null when a client was synced as a whole. */
  invoiceId: string | null;
  clientId: string;
  /** Null only for a client synced with no project in ERP (its account alone). */
  engagementId: string | null;
  opportunityId: string | null;
}

/** The first invoice's party, plus every other invoice's when a document touched several. */
interface ReadResult extends InvoiceParty {
  others?: InvoiceParty[];
}

type Read = ReadResult | { skipped: true; reason: string };

const partiesOf = (read: ReadResult): InvoiceParty[] => [read, ...(read.others ?? [])];
const distinctBy = <T>(items: T[], key: (t: T) => string | null): T[] => {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (k === null || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

export const clientInvoices = (erp: ErpForBillingStatus, clientId: string): Promise<Invoice[]> =>
  allPages((cursor) => erp.listInvoices({ cursor, limit: 200, clientId }), MASTER_DATA_MAX_PAGES);

/** Who a client sync concerns: each of its projects (or the one asked for), or its account alone. */
async function clientParties(erp: ErpForBillingStatus, clientId: string, engagementId: string | undefined): Promise<InvoiceParty[]> {
  const projects = engagementId
    ? [await erp.getProject(engagementId)]
    : await allPages((cursor) => erp.listProjects({ cursor, limit: 200, clientId }), MASTER_DATA_MAX_PAGES);
  const parties = projects.map((p) => ({ invoiceId: null, clientId, engagementId: p.id, opportunityId: p.opportunityId ?? null }));
  return parties.length ? parties : [{ invoiceId: null, clientId, engagementId: null, opportunityId: null }];
}

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
      async run({ input }): Promise<Read> {
        if (input.clientId) {
          const [first, ...others] = await clientParties(deps.erp, input.clientId, input.engagementId);
          return { ...first!, ...(others.length ? { others } : {}) };
        }
        const invoiceIds = input.document
          ? await deps.erp.invoicesAffectedBy(input.document)
          : [input.invoiceId ?? (await deps.erp.getPayment(input.paymentId!)).invoiceId];
        // An unapplied payment or credit, or a document gone from ERP: no invoice changed, nothing to show.
        if (invoiceIds.length === 0) return { skipped: true, reason: 'the ERP document is applied to no invoice' };
        const parties: InvoiceParty[] = [];
        for (const invoiceId of invoiceIds) {
          const invoice = await deps.erp.getInvoice(invoiceId);
          const project = await deps.erp.getProject(invoice.engagementId);
          // Only who the invoice concerns: the update steps read the invoices' state themselves, at write time.
          parties.push({
            invoiceId,
            clientId: invoice.clientId,
            engagementId: invoice.engagementId,
            opportunityId: project.opportunityId ?? null,
          });
        }
        const [first, ...others] = parties;
        return { ...first!, ...(others.length ? { others } : {}) };
      },
    })
    .step('update-opportunity', {
      platform: 'crm',
      async run({ results }) {
        const read = results['read-invoice'];
        if ('skipped' in read) return { skipped: true };
        const updated: Array<{ opportunityId: string; status: string }> = [];
        for (const party of distinctBy(partiesOf(read), (p) => p.opportunityId)) {
          const opportunityId = party.opportunityId!;
          const view = await writeUntilStable(
            async () =>
              rollup(
                (await clientInvoices(deps.erp, party.clientId)).filter((i) => i.engagementId === party.engagementId),
                today(),
              ),
            (v) => deps.crm.setOpportunityBillingStatus(opportunityId, opportunityBillingView(v)).then(() => undefined),
          );
          updated.push({ opportunityId, status: view.status });
        }
        if (updated.length === 0) return { skipped: true };
        return { ...updated[0]!, ...(updated.length > 1 ? { others: updated.slice(1) } : {}) };
      },
    })
    .step('update-account', {
      platform: 'crm',
      async run({ results, runId }) {
        const read = results['read-invoice'];
        if ('skipped' in read) return { skipped: true };
        const synced: Array<{ crmClientId: string; status: string }> = [];
        for (const party of distinctBy(partiesOf(read), (p) => p.clientId)) {
          const crmClientId = await crmClientOf(deps.store.db, party.clientId);
          if (!crmClientId) continue; // a client the layer never provisioned from the CRM
          const account = await deps.crm.getClient(crmClientId);
          const view = await writeUntilStable(
            async () => rollup(await clientInvoices(deps.erp, party.clientId), today()),
            (v) => deps.crm.setClientBillingStatus(crmClientId, accountBillingView(v, account.defaultCurrency)).then(() => undefined),
          );
          await recordSync(deps.store.db, party.clientId, crmClientId);
          await emitOnce(deps.store.db, {
            id: synced.length === 0 ? `${runId}:synced` : `${runId}:synced:${crmClientId}`,
            type: SYNCED_EVENT,
            source: SOURCE,
            subject: crmClientId,
            data: { clientId: party.clientId, crmClientId, invoiceId: party.invoiceId, status: view.status, outstanding: view.outstanding },
          });
          synced.push({ crmClientId, status: view.status });
        }
        if (synced.length === 0) return { skipped: true };
        return { ...synced[0]!, ...(synced.length > 1 ? { others: synced.slice(1) } : {}) };
      },
    })
    .build();
}
