// Billing-status-to-crm's reconciliation checks (question `mismatched-billing-status`):
// `crm-billing-status` compares the billing fields each linked CRM account and opportunity shows
// with what ERP's invoices imply now (the journey's own roll-up), and `billing-status-runs` turns
// the journey's failed runs into findings. Documented in this folder's README.
import type { Invoice } from '../../system-apis/erp/canonical.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { CrmSystemApi } from '../../system-apis/crm/service.js';
import type { Client as CrmAccount, Opportunity } from '../../system-apis/crm/canonical.js';
import type { Store } from '../../core/store/index.js';
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import { allPages } from '../kit/all-pages.js';
import { failedRunsCheck } from '../kit/failed-runs-check.js';
import type { CheckContext, Finding, ReconciliationCheck, RecordRef, StoredFinding } from '../kit/reconciliation.js';
import { accountDifference, describeBilling, keyOf, opportunityDifference, type BillingDifference } from './billing-comparison.js';
import { isIssued } from './status.js';
import { accountLinks, syncTimes } from './sync-record.js';
import { unreflectedDocuments, type ErpForPaymentLookup, type UnreflectedDocument } from './unreflected-payments.js';
import type { BillingStatusToCrmApi } from './service.js';
import { BILLING_STATUS_WORKFLOW, type BillingStatusInput } from './workflow.js';

export interface BillingStatusCheckDeps {
  store: Store;
  erp: ErpForPaymentLookup & Pick<ErpSystemApi, 'listInvoices' | 'listProjects' | 'recordLinks'>;
  crm: Pick<CrmSystemApi, 'listClients' | 'listOpportunities' | 'recordLinks'>;
  /** Wakes the workflow engine after an operator's retry. */
  kick?: () => void;
  logger?: Logger;
}

const QUESTION = 'mismatched-billing-status';
const JOURNEY = 'billing-status-to-crm';
const SYNC = 'sync-billing-status';
/** Invoices named on a finding, at most (a finding holds 20 records). */
const INVOICES_SHOWN = 10;

const groupBy = <T>(items: readonly T[], key: (t: T) => string) => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

interface Difference {
  kind: 'account' | 'opportunity';
  crmId: string;
  label: string;
  erpClientId: string;
  engagementId?: string;
  invoices: Invoice[];
  diff: BillingDifference;
  payments?: UnreflectedDocument[];
}

/** Repair: a run of the journey for the client (and the engagement, for an opportunity), once per exception. */
async function repairFinding(api: BillingStatusToCrmApi, finding: StoredFinding): Promise<{ runId: string }> {
  const erpRecord = (entity: RecordRef['entity']) => finding.records.find((r) => r.platform === 'erp' && r.entity === entity)?.canonicalId;
  const clientId = erpRecord('client');
  if (!clientId) throw new ProblemError('unprocessable-content', { detail: 'The finding names no ERP client to bring in step.' });
  const engagementId = finding.type === 'opportunity-billing-status-differs' ? erpRecord('project') : undefined;
  const { run } = await api.syncClient(clientId, {
    reason: `repair:${finding.exceptionId}`,
    ...(engagementId ? { engagementId } : {}),
    trigger: 'schedule',
  });
  return { runId: run.id };
}

function crmBillingStatusCheck(deps: BillingStatusCheckDeps, api: BillingStatusToCrmApi): ReconciliationCheck {
  const { erp, crm, store } = deps;

  /** Every page of a listing, stopping between pages when the pass is stopping. */
  const everything = <T>(ctx: CheckContext, page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>) =>
    allPages(async (cursor) => {
      ctx.signal.throwIfAborted();
      return page(cursor);
    });

  async function findingsOf(differences: Difference[]): Promise<Finding[]> {
    const ids = (kind: Difference['kind']) => differences.filter((d) => d.kind === kind).map((d) => d.crmId);
    const invoiceIds = differences.flatMap((d) => d.invoices.slice(0, INVOICES_SHOWN).map((i) => i.id));
    const [accounts, opportunities, clients, projects, invoices] = await Promise.all([
      crm.recordLinks('client', ids('account')),
      crm.recordLinks('opportunity', ids('opportunity')),
      erp.recordLinks(
        'client',
        differences.map((d) => d.erpClientId),
      ),
      erp.recordLinks(
        'engagement',
        differences.flatMap((d) => (d.engagementId ? [d.engagementId] : [])),
      ),
      erp.recordLinks('invoice', invoiceIds),
    ]);
    const ref = (
      platform: RecordRef['platform'],
      entity: RecordRef['entity'],
      canonicalId: string,
      link: { nativeId: string; url: string | null } | undefined,
      label: string | null,
    ): RecordRef => ({ platform, entity, id: link?.nativeId ?? canonicalId, canonicalId, label, url: link?.url ?? null });

    return differences.map((d) => {
      const { diff } = d;
      const isAccount = d.kind === 'account';
      const paid = isAccount && d.payments?.length ? d.payments : undefined;
      const records: RecordRef[] = [
        isAccount
          ? ref('crm', 'account', d.crmId, accounts.get(d.crmId), d.label)
          : ref('crm', 'opportunity', d.crmId, opportunities.get(d.crmId), d.label),
        ref('erp', 'client', d.erpClientId, clients.get(d.erpClientId), null),
        ...(d.engagementId ? [ref('erp', 'project', d.engagementId, projects.get(d.engagementId), null)] : []),
        ...(paid ?? []).slice(0, INVOICES_SHOWN).map((p): RecordRef => ({
          platform: 'erp',
          entity: p.type === 'creditMemo' ? 'credit-memo' : 'payment',
          id: p.nativeId,
          label: `${p.type === 'creditMemo' ? 'Credit memo' : 'Payment'} ${p.nativeId}`,
          url: p.url,
        })),
        ...d.invoices.slice(0, INVOICES_SHOWN).map((i) => ref('erp', 'invoice', i.id, invoices.get(i.id), i.number ?? null)),
      ].slice(0, 20);
      const what = isAccount ? `CRM account ${d.label}` : `CRM opportunity ${d.label}`;
      const erpSays = `ERP's ${d.invoices.length} issued invoice(s) imply: ${describeBilling(diff.expected)}.`;
      const type = paid ? 'payment-not-on-crm' : isAccount ? 'account-billing-status-differs' : 'opportunity-billing-status-differs';
      const since = paid ? new Date(Math.min(...paid.map((p) => p.modifiedAt.getTime()))) : diff.since;
      return {
        type,
        key: `${d.crmId}:${keyOf(diff.shown)}>${keyOf(diff.expected)}`,
        title: paid
          ? `${what} does not show ${paid.length === 1 ? 'a payment or credit' : `${paid.length} payments or credits`} ERP recorded`
          : `${what} shows ${diff.shown.status ?? 'no billing status'}; ERP says ${diff.expected.status}`,
        detail:
          `The ${what} shows: ${describeBilling(diff.shown)}. ${erpSays}` +
          (paid ? ` Recorded in ERP since the account was last written: ${paid.map((p) => `${p.type} ${p.nativeId}`).join(', ')}.` : ''),
        records,
        moneyAtRisk: diff.moneyAtRisk,
        ...(since ? { since } : {}),
        repair: {
          safe: true,
          action: SYNC,
          description: isAccount
            ? 'Start a billing-status run for the client: it reads ERP and rewrites the CRM account and its opportunities (idempotent, once per exception).'
            : "Start a billing-status run for the opportunity's project: it reads ERP and rewrites the opportunity and its account (idempotent, once per exception).",
        },
        run: null,
      } satisfies Finding;
    });
  }

  return {
    name: 'crm-billing-status',
    journey: JOURNEY,
    question: QUESTION,
    reads: 'platforms',
    // No estimate: how many invoices and opportunities the accounts have is known only once listed.
    async run(ctx) {
      const today = ctx.now.toISOString().slice(0, 10);
      const links = await accountLinks(store.db); // ERP client → CRM account
      if (links.size === 0) return [];
      const erpClientOf = new Map([...links].map(([erpId, crmId]) => [crmId, erpId]));
      // Whole listings in pages (one SuiteQL or SOQL query a page), never a read per client.
      const invoices = (await everything(ctx, (cursor) => erp.listInvoices({ cursor, limit: 200 }))).filter((i) => links.has(i.clientId));
      const projects = (await everything(ctx, (cursor) => erp.listProjects({ cursor, limit: 200 }))).filter(
        (p) => links.has(p.clientId) && p.opportunityId,
      );
      const accounts = (await everything(ctx, (cursor) => crm.listClients({ cursor, limit: 200 }))).filter((a) => erpClientOf.has(a.id));
      const opportunityIds = new Set(projects.map((p) => p.opportunityId!));
      const opportunities = new Map<string, Opportunity>(
        (await everything(ctx, (cursor) => crm.listOpportunities({ cursor, limit: 200 })))
          .filter((o) => opportunityIds.has(o.id))
          .map((o) => [o.id, o]),
      );
      const byClient = groupBy(invoices, (i) => i.clientId);
      const byEngagement = groupBy(invoices, (i) => i.engagementId);
      const issued = (list: Invoice[] | undefined) => (list ?? []).filter(isIssued);

      const differences: Difference[] = [];
      for (const account of accounts as CrmAccount[]) {
        const erpClientId = erpClientOf.get(account.id)!;
        const diff = accountDifference(account.billing, account.defaultCurrency, byClient.get(erpClientId) ?? [], today);
        if (diff)
          differences.push({
            kind: 'account',
            crmId: account.id,
            label: account.name,
            erpClientId,
            invoices: issued(byClient.get(erpClientId)),
            diff,
          });
      }
      // Each ERP invoice read is compared once into its account's figures.
      ctx.compared(accounts.length + invoices.length);
      for (const project of projects) {
        const opportunity = opportunities.get(project.opportunityId!);
        if (!opportunity) continue; // an opportunity gone from the CRM is provisioning's question, not this one
        const diff = opportunityDifference(opportunity.billing, byEngagement.get(project.id) ?? [], today);
        if (diff)
          differences.push({
            kind: 'opportunity',
            crmId: opportunity.id,
            label: opportunity.name,
            erpClientId: project.clientId,
            engagementId: project.id,
            invoices: issued(byEngagement.get(project.id)),
            diff,
          });
      }
      ctx.compared(opportunities.size);

      // An account showing more owed than ERP, written before: was it a payment or credit the CRM missed?
      const written = await syncTimes(store.db);
      const owedLess = new Map(
        differences
          .filter((d) => d.kind === 'account' && d.diff.crmShowsMoreOwed && written.has(d.erpClientId))
          .map((d) => [d.erpClientId, written.get(d.erpClientId)!]),
      );
      const payments = await unreflectedDocuments(erp, owedLess, new Map(invoices.map((i) => [i.id, i.clientId])), ctx.signal, deps.logger);
      for (const d of differences) if (d.kind === 'account') d.payments = payments.get(d.erpClientId);
      return differences.length ? findingsOf(differences) : [];
    },
    repair: (finding) => repairFinding(api, finding),
  };
}

/** What a failed run of the journey was about, from its input. */
async function failedRunRecords(erp: BillingStatusCheckDeps['erp'], input: BillingStatusInput | null): Promise<RecordRef[]> {
  if (!input) return [];
  const records: RecordRef[] = [];
  const add = async (entity: 'invoice' | 'client', canonicalId: string | undefined) => {
    if (!canonicalId) return;
    const link = (await erp.recordLinks(entity, [canonicalId])).get(canonicalId);
    records.push({ platform: 'erp', entity, id: link?.nativeId ?? canonicalId, canonicalId, url: link?.url ?? null });
  };
  await add('invoice', input.invoiceId);
  await add('client', input.clientId);
  const doc = input.document ? erp.documentLink(input.document) : undefined;
  if (doc && doc.type !== 'invoice') {
    const entity = doc.type === 'creditMemo' ? 'credit-memo' : doc.type === 'customerRefund' ? 'refund' : 'payment';
    records.push({ platform: 'erp', entity, id: doc.nativeId, label: input.document!, url: doc.url });
  } else if (doc && !input.invoiceId) {
    records.push({ platform: 'erp', entity: 'invoice', id: doc.nativeId, label: input.document!, url: doc.url });
  }
  return records;
}

/** The journey's checks, in the order a pass runs them. */
export function billingStatusToCrmChecks(deps: BillingStatusCheckDeps, api: BillingStatusToCrmApi): ReconciliationCheck[] {
  return [
    crmBillingStatusCheck(deps, api),
    failedRunsCheck({
      name: 'billing-status-runs',
      journey: JOURNEY,
      question: QUESTION,
      type: 'billing-status-run-failed',
      db: deps.store.db,
      workflows: [BILLING_STATUS_WORKFLOW],
      ...(deps.kick ? { kick: deps.kick } : {}),
      async describe(run) {
        const input = run.input as BillingStatusInput | null;
        return {
          records: await failedRunRecords(deps.erp, input),
          title: `Billing status for ${input?.invoiceId ? `invoice ${input.invoiceId}` : (input?.document ?? (input?.clientId ? `client ${input.clientId}` : 'an ERP change'))} did not reach the CRM`,
        };
      },
    }),
  ];
}
