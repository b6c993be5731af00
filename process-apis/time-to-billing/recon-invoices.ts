// Reconciliation checks on invoices: `invoices-match-erp` (the layer's invoice record against
// ERP's invoice: amounts, tax, currency, lines) and `invoices-blocked` (invoices ERP holds, and
// the layer's invoices ERP still has unposted). ERP is read by listing, never one invoice at a time.
import { ProblemError } from '../../core/problems.js';
import { allPages } from '../kit/all-pages.js';
import type { ReconciliationCheck, RepairActor, StoredFinding } from '../kit/reconciliation.js';
import type { Invoice } from '../../system-apis/erp/canonical.js';
import { hundredthsToHours } from '../../core/hours.js';
import {
  amountText,
  atRisk,
  ledgerInvoiceOfErp,
  ledgerInvoices,
  withRecords,
  type LedgerInvoice,
  type PendingFinding,
  type RecordSpec,
} from './recon-records.js';
import type { BillingCheckDeps } from './recon-time.js';
import type { TimeToBillingApi } from './service.js';
import { IN_ERP_STATES } from './schema.js';

export const AMOUNT_DIFFERS = 'invoice-amount-differs';
export const MISSING_IN_ERP = 'invoice-missing-in-erp';
export const ON_HOLD = 'invoice-on-hold';
export const NOT_POSTED = 'invoice-not-posted';

/** The ERP system API's largest page. */
const PAGE_LIMIT = 200;
/** How long a posted-to-be invoice may stay unposted in ERP before it is reported (its run retries meanwhile). */
export const DEFAULT_POSTING_GRACE_MS = 60 * 60_000;

const invoiceLabel = (i: Pick<Invoice, 'number' | 'periodStart' | 'periodEnd'>) => i.number ?? `${i.periodStart}–${i.periodEnd}`;

function invoiceRecords(invoiceId: string, label: string, engagementId: string): RecordSpec[] {
  return [
    { platform: 'erp', entity: 'invoice', canonicalId: invoiceId, label },
    { platform: 'erp', entity: 'project', canonicalId: engagementId },
  ];
}

/** ERP's invoices with a status (or all), every page. */
async function erpInvoices(deps: BillingCheckDeps, status?: Invoice['status']): Promise<Invoice[]> {
  return allPages((cursor) => deps.erp.listInvoices({ limit: PAGE_LIMIT, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) }));
}

/** What differs between the layer's record of an invoice and ERP's invoice, in words; and the money in the difference. */
export function invoiceDifferences(layer: LedgerInvoice, erp: Invoice): { differences: string[]; moneyMinor: number } {
  const differences: string[] = [];
  if (erp.currency !== layer.currency) differences.push(`currency ${layer.currency} in the layer, ${erp.currency} in ERP`);
  const totals = [
    ['net', layer.netMinor, erp.netTotal.amountMinor],
    ['tax', layer.taxMinor, erp.taxTotal.amountMinor],
    ['total', layer.totalMinor, erp.total.amountMinor],
  ] as const;
  const money = (minor: number) => amountText(minor, erp.currency);
  for (const [name, ours, theirs] of totals)
    if (ours !== theirs) differences.push(`${name} ${money(ours)} in the layer, ${money(theirs)} in ERP`);
  const lines = layer.draft.lines;
  let linesMinor = 0;
  if (lines.length !== erp.lines.length) differences.push(`${lines.length} line(s) in the layer, ${erp.lines.length} in ERP`);
  else {
    lines.forEach((line, i) => {
      const theirs = erp.lines[i]!;
      const n = i + 1;
      const ourSources = [...line.sourceIds].sort().join();
      const theirSources = theirs.sources
        .map((s) => s.id)
        .sort()
        .join();
      if (ourSources !== theirSources) differences.push(`line ${n} bills other entries in ERP`);
      if (line.unitPrice.amountMinor !== theirs.unitPrice.amountMinor)
        differences.push(`line ${n} rate ${money(line.unitPrice.amountMinor)} in the layer, ${money(theirs.unitPrice.amountMinor)} in ERP`);
      if (line.hoursHundredths !== undefined && theirs.hours !== undefined && hundredthsToHours(line.hoursHundredths) !== theirs.hours)
        differences.push(`line ${n} ${hundredthsToHours(line.hoursHundredths)} h in the layer, ${theirs.hours} h in ERP`);
      if (line.amount.amountMinor !== theirs.netAmount.amountMinor) {
        differences.push(`line ${n} net ${money(line.amount.amountMinor)} in the layer, ${money(theirs.netAmount.amountMinor)} in ERP`);
        linesMinor += Math.abs(theirs.netAmount.amountMinor - line.amount.amountMinor);
      }
    });
  }
  const totalDifference = Math.abs(erp.total.amountMinor - layer.totalMinor);
  return { differences, moneyMinor: totalDifference || linesMinor };
}

export function invoicesMatchErpCheck(deps: BillingCheckDeps): ReconciliationCheck {
  const db = deps.store.db;
  return {
    name: 'invoices-match-erp',
    journey: 'time-to-billing',
    question: 'unbilled-approved-time',
    reads: 'platforms',
    async run(ctx) {
      const posted = (await ledgerInvoices(db, IN_ERP_STATES)).filter((i) => i.erpInvoiceId);
      if (posted.length === 0) return [];
      const inErp = new Map((await erpInvoices(deps)).map((i) => [i.id, i]));
      const pending: PendingFinding[] = [];
      for (const layer of posted) {
        const erp = inErp.get(layer.erpInvoiceId!);
        const label = `Invoice ${layer.periodKey} #${layer.sequence}`;
        if (!erp || erp.status === 'void') {
          pending.push({
            records: invoiceRecords(layer.erpInvoiceId!, erp ? invoiceLabel(erp) : label, layer.engagementId),
            finding: {
              type: MISSING_IN_ERP,
              key: layer.erpInvoiceId!,
              title: erp ? 'An invoice the layer posted is void in ERP' : 'An invoice the layer posted is gone from ERP',
              detail:
                `The layer billed ${layer.draft.lines.reduce((n, l) => n + l.sourceIds.length, 0)} records of period ${layer.periodKey} on ERP invoice ` +
                `${layer.erpInvoiceId} (total ${amountText(layer.totalMinor, layer.currency)}); ERP ${erp ? 'shows it void' : 'no longer lists it'}.`,
              moneyAtRisk: atRisk(layer.totalMinor, layer.currency),
              since: erp ? undefined : layer.updatedAt,
              repair: {
                safe: false,
                action: 'by-hand',
                description:
                  'Find out why it was removed: if the work is still to be billed, re-issue the invoice in ERP with the same lines; if it was credited on purpose, dismiss with the reason.',
              },
              run: null,
            },
          });
          continue;
        }
        const { differences, moneyMinor } = invoiceDifferences(layer, erp);
        if (differences.length === 0) continue;
        pending.push({
          records: invoiceRecords(erp.id, invoiceLabel(erp), layer.engagementId),
          finding: {
            type: AMOUNT_DIFFERS,
            key: `${erp.id}:${layer.totalMinor}:${erp.total.amountMinor}:${erp.netTotal.amountMinor}`,
            title: "ERP's invoice differs from the invoice the layer posted",
            detail: `ERP invoice ${invoiceLabel(erp)} (period ${layer.periodKey}): ${differences.slice(0, 12).join('; ')}.`,
            moneyAtRisk: atRisk(moneyMinor, erp.currency),
            repair: {
              safe: false,
              action: 'by-hand',
              description:
                'Compare the invoice in ERP with the approved hours it bills: undo the edit in ERP, or issue a credit note or supplementary invoice for the difference.',
            },
            run: null,
          },
        });
      }
      ctx.compared(posted.length);
      return withRecords(deps, pending);
    },
    async repair(finding: StoredFinding) {
      throw new ProblemError('unprocessable-content', { detail: `Repair by hand: ${finding.repair.description}` });
    },
  };
}

export function invoicesBlockedCheck(
  deps: BillingCheckDeps & { postingGraceMs?: number },
  api: Pick<TimeToBillingApi, 'getRun' | 'retryRun'>,
): ReconciliationCheck {
  const db = deps.store.db;
  const graceMs = deps.postingGraceMs ?? DEFAULT_POSTING_GRACE_MS;
  return {
    name: 'invoices-blocked',
    journey: 'time-to-billing',
    question: 'blocked-invoices',
    reads: 'platforms',
    async run(ctx) {
      const [held, drafts, layer] = await Promise.all([
        erpInvoices(deps, 'on-hold'),
        erpInvoices(deps, 'draft'),
        ledgerInvoices(db, IN_ERP_STATES),
      ]);
      const layerOf = new Map(layer.filter((i) => i.erpInvoiceId).map((i) => [i.erpInvoiceId!, i]));
      const pending: PendingFinding[] = held.map((invoice) => ({
        records: invoiceRecords(invoice.id, invoiceLabel(invoice), invoice.engagementId),
        finding: {
          type: ON_HOLD,
          key: invoice.id,
          title: 'An invoice is on hold in ERP',
          detail:
            `ERP invoice ${invoiceLabel(invoice)} (period ${invoice.periodStart} to ${invoice.periodEnd}) is on hold` +
            `${invoice.holdReason ? `: ${invoice.holdReason}` : ''}; ${amountText(invoice.amountOutstanding.amountMinor, invoice.currency)} outstanding.` +
            (layerOf.has(invoice.id) ? ' The layer posted it.' : ''),
          moneyAtRisk: atRisk(invoice.amountOutstanding.amountMinor, invoice.currency),
          repair: {
            safe: false,
            action: 'release-invoice',
            description: 'Release the hold in ERP once the reason is settled (the client is then invoiced and the CRM shows it).',
          },
          run: null,
        },
      }));
      const cutoff = ctx.now.getTime() - graceMs;
      for (const invoice of drafts) {
        const ours = layerOf.get(invoice.id);
        if (!ours || ours.updatedAt.getTime() > cutoff) continue;
        pending.push({
          records: invoiceRecords(invoice.id, invoiceLabel(invoice), invoice.engagementId),
          finding: {
            type: NOT_POSTED,
            key: invoice.id,
            title: 'An invoice the layer meant to post is still unposted in ERP',
            detail: `ERP invoice ${invoiceLabel(invoice)} of period ${ours.periodKey} (run ${ours.runId}) is pending approval in ERP since ${ours.updatedAt.toISOString()}.`,
            moneyAtRisk: atRisk(invoice.total.amountMinor, invoice.currency),
            since: ours.updatedAt,
            repair: {
              safe: true,
              action: 'post-invoice',
              description: 'Post it: its failed billing run is retried, or ERP is asked to post the draft (nothing is posted twice).',
            },
            run: null,
          },
        });
      }
      ctx.compared(held.length + drafts.length);
      return withRecords(deps, pending);
    },
    async repair(finding: StoredFinding, actor: RepairActor) {
      const invoiceId = finding.key;
      if (finding.type === ON_HOLD) {
        const invoice = await deps.erp.getInvoice(invoiceId);
        if (invoice.status === 'on-hold') {
          await deps.erp.releaseInvoice(invoiceId);
          deps.logger?.info({ exceptionId: finding.exceptionId, invoiceId, actor: actor.consumer }, 'released an invoice held in ERP');
        }
        return {};
      }
      if (finding.type !== NOT_POSTED)
        throw new ProblemError('unprocessable-content', { detail: `Repair by hand: ${finding.repair.description}` });
      const ours = await ledgerInvoiceOfErp(db, invoiceId);
      if (ours) {
        const run = await api.getRun(ours.runId);
        // The run posts it and then records its entries billed: resuming it does both.
        if (run.status === 'failed') {
          deps.logger?.info(
            { exceptionId: finding.exceptionId, invoiceId, runId: ours.runId, actor: actor.consumer },
            'retrying the billing run of an unposted invoice',
          );
          return { runId: (await api.retryRun(ours.runId)).id };
        }
      }
      const invoice = await deps.erp.getInvoice(invoiceId);
      if (invoice.status === 'draft') {
        await deps.erp.postInvoice(invoiceId);
        deps.logger?.info({ exceptionId: finding.exceptionId, invoiceId, actor: actor.consumer }, 'posted an invoice left unposted in ERP');
      }
      return ours ? { runId: ours.runId } : {};
    },
  };
}
