// Reconciliation check `approved-time-billed`: the time platform's own entries (approval as the
// platform shows it) against the layer's billing ledger, in the periods the layer already billed.
// One listing of the platform's entries up to the last billed period's end, never a read per entry.
import { hundredthsToHours, minutesToHundredths } from '../../core/hours.js';
import { multiplyHundredthsByRate, type Money } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import type { Store } from '../../core/store/index.js';
import type { BillingPeriod } from '../kit/billing-model.js';
import { loadEngagementContext } from '../kit/engagement-context.js';
import { hundredthsOfEntry, rateEntries } from '../kit/rating.js';
import type { ReconciliationCheck, RepairActor, StoredFinding } from '../kit/reconciliation.js';
import type { Logger } from '../../core/observability/logger.js';
import type { ErpForBilling, ErpRecordLinks, TimeEntry, TimeForBilling, TimeRecordLinks } from './ports.js';
import {
  amountText,
  atRisk,
  lastBilledPeriodOf,
  lastBilledPeriods,
  ledgerEntries,
  ledgerInvoices,
  withRecords,
  type LedgerEntry,
  type LedgerInvoice,
  type PendingFinding,
  type RecordSpec,
} from './recon-records.js';
import type { TimeToBillingApi } from './service.js';
import { toBillableEntry } from './workflow.js';

export interface BillingCheckDeps {
  store: Store;
  /** Also names the records of findings: ERP's internal ids and NetSuite pages, Harvest's ids. */
  erp: ErpForBilling & ErpRecordLinks;
  time: TimeForBilling & TimeRecordLinks;
  rules: RegionalRules;
  /** Logs each repair the checks make on the platforms (the reconciliation journey audits who asked). */
  logger?: Pick<Logger, 'info'>;
}

export const LEFT_BEHIND = 'approved-time-not-billed';
export const BILLED_UNAPPROVED = 'billed-time-unapproved';
export const BILLED_HOURS_DIFFER = 'billed-hours-differ';
export const BILLED_MISSING = 'billed-time-missing';

const hours = (hundredths: number) => `${hundredthsToHours(hundredths)} h`;
const entryLabel = (e: TimeEntry) => `${e.workDate}, ${hours(hundredthsOfEntry(e))}, ${e.role}`;

function billedHundredths(billed: LedgerEntry): number {
  // Rows recorded before hours were kept hold whole minutes only.
  return billed.hundredths ?? minutesToHundredths(billed.minutes) ?? Math.round((billed.minutes * 100) / 60);
}

/** The rate a ledger entry was billed at: its invoice line's unit price. */
function billedRate(invoice: LedgerInvoice, billed: LedgerEntry): Money {
  return invoice.draft.lines[billed.lineIndex]?.unitPrice ?? { amountMinor: 0, currency: invoice.currency };
}

/** The records of a finding about a billed entry: the entry, its ERP invoice and the project. */
function billedRecords(entryId: string, label: string, invoice: LedgerInvoice): RecordSpec[] {
  return [
    { platform: 'time', entity: 'time-entry', canonicalId: entryId, label },
    ...(invoice.erpInvoiceId
      ? [{ platform: 'erp', entity: 'invoice', canonicalId: invoice.erpInvoiceId, label: invoiceLabel(invoice) } as const]
      : []),
    { platform: 'erp', entity: 'project', canonicalId: invoice.engagementId },
  ];
}

const invoiceLabel = (invoice: LedgerInvoice) => `Invoice ${invoice.periodKey} #${invoice.sequence}`;

/** What one billed entry's platform record says against the ledger, if it disagrees. */
function compareBilled(e: TimeEntry, billed: LedgerEntry, invoice: LedgerInvoice): PendingFinding | undefined {
  const rate = billedRate(invoice, billed);
  const billedH = billedHundredths(billed);
  const billedMinor = multiplyHundredthsByRate(billedH, rate.amountMinor);
  const on = `${invoiceLabel(invoice).toLowerCase()}${invoice.erpInvoiceId ? ` (ERP ${invoice.erpInvoiceId})` : ''}`;
  const records = billedRecords(e.id, entryLabel(e), invoice);
  if (e.approvalStatus !== 'approved') {
    return {
      records,
      finding: {
        type: BILLED_UNAPPROVED,
        key: `${e.id}:${invoice.key}`,
        title: 'Billed time is no longer approved on the time platform',
        detail: `Time entry ${e.id} (${entryLabel(e)}) is billed on ${on}: ${hours(billedH)}, ${amountText(billedMinor, rate.currency)}; but the time platform no longer shows it approved.`,
        moneyAtRisk: atRisk(billedMinor, rate.currency),
        since: new Date(e.updatedAt),
        repair: {
          safe: false,
          action: 'by-hand',
          description:
            'Find out why the approval was withdrawn: if the work stands, approve the week again; if not, issue a credit note in ERP for the billed amount.',
        },
        run: null,
      },
    };
  }
  const onPlatform = hundredthsOfEntry(e);
  if (!Number.isSafeInteger(onPlatform) || onPlatform === billedH) return undefined;
  const difference = multiplyHundredthsByRate(onPlatform, rate.amountMinor) - billedMinor;
  return {
    records,
    finding: {
      type: BILLED_HOURS_DIFFER,
      key: `${e.id}:${billedH}:${onPlatform}`,
      title: 'Hours on the time platform differ from the hours billed',
      detail:
        `Time entry ${e.id} records ${hours(onPlatform)} on the time platform; ${on} bills ${hours(billedH)} ` +
        `at ${amountText(rate.amountMinor, rate.currency)} an hour: ${difference > 0 ? 'under' : 'over'}-billed by ${amountText(Math.abs(difference), rate.currency)}.`,
      moneyAtRisk: atRisk(difference, rate.currency),
      since: new Date(e.updatedAt),
      repair: {
        safe: false,
        action: 'by-hand',
        description:
          difference > 0
            ? 'Confirm the new hours with the approver, then invoice the difference in ERP (a supplementary invoice or an adjustment line).'
            : 'Confirm the new hours with the approver, then issue a credit note in ERP for the difference.',
      },
      run: null,
    },
  };
}

function missingFinding(entryId: string, billed: LedgerEntry, invoice: LedgerInvoice): PendingFinding {
  const rate = billedRate(invoice, billed);
  const billedH = billedHundredths(billed);
  return {
    records: billedRecords(entryId, `${hours(billedH)} billed`, invoice),
    finding: {
      type: BILLED_MISSING,
      key: `${entryId}:${invoice.key}`,
      title: 'Billed time is gone from the time platform',
      detail: `Time entry ${entryId} is billed on ${invoiceLabel(invoice).toLowerCase()} at ${hours(billedH)}, but the time platform no longer lists it.`,
      moneyAtRisk: atRisk(multiplyHundredthsByRate(billedH, rate.amountMinor), rate.currency),
      repair: {
        safe: false,
        action: 'by-hand',
        description: 'Find out why the entry was deleted: if the work was not done, issue a credit note in ERP for the billed amount.',
      },
      run: null,
    },
  };
}

export function approvedTimeBilledCheck(deps: BillingCheckDeps, api: Pick<TimeToBillingApi, 'billLeftBehind'>): ReconciliationCheck {
  const db = deps.store.db;

  /** Approved entries of a billed period that no invoice bills, priced by the engagement's rate card. */
  async function leftBehind(engagementId: string, period: BillingPeriod, entries: TimeEntry[]): Promise<PendingFinding[]> {
    // An engagement ERP no longer has, or cannot bill (no regional rules), still leaves its time
    // unbilled: reported without a price for a person to settle (provisioning checks report a missing project).
    const context = await loadEngagementContext(deps.erp, deps.rules, engagementId).catch((err: unknown) => {
      if (err instanceof ProblemError && err.status < 500) return err;
      throw err;
    });
    const unbillable = context instanceof ProblemError ? context.detail : undefined;
    let priced: { currency: string; rateOf: Map<string, number>; unrated: Map<string, string> } | undefined;
    if (!(context instanceof ProblemError)) {
      const { engagement } = context;
      // A fixed-fee engagement bills milestones, not hours; a held one waits by design (billing holds show it).
      if (engagement.billingModel !== 'time-and-materials' || engagement.billingHold) return [];
      const { rated, exceptions } = rateEntries(entries.map(toBillableEntry), engagement.rateCard);
      priced = {
        currency: engagement.currency,
        rateOf: new Map(rated.map((r) => [r.entry.id, r.rate.hourlyRateMinor])),
        unrated: new Map(exceptions.map((x) => [x.entryId, x.detail])),
      };
    }
    return entries.map((e) => {
      const rate = priced?.rateOf.get(e.id);
      const why = unbillable
        ? ` Its engagement cannot be billed: ${unbillable}`
        : rate === undefined
          ? ` It cannot be rated: ${priced?.unrated.get(e.id) ?? 'no rate'}`
          : '';
      return {
        records: [
          { platform: 'time', entity: 'time-entry', canonicalId: e.id, label: entryLabel(e) },
          { platform: 'erp', entity: 'project', canonicalId: engagementId },
        ],
        finding: {
          type: LEFT_BEHIND,
          key: e.id,
          title: 'Approved billable time in a billed period is on no invoice',
          detail:
            `Time entry ${e.id} (${entryLabel(e)}) is approved and billable on the time platform, worked by ${period.end} ` +
            `(period ${period.key} is billed), and no invoice bills it.${why}`,
          moneyAtRisk: rate === undefined || !priced ? null : atRisk(multiplyHundredthsByRate(hundredthsOfEntry(e), rate), priced.currency),
          repair:
            rate === undefined
              ? {
                  safe: false,
                  action: 'by-hand',
                  description: unbillable
                    ? 'Settle the engagement in ERP (project, legal entity, rate card); the next billing run bills it.'
                    : "Fix the engagement's rate card in ERP for this role and date; the next billing run bills it.",
                }
              : {
                  safe: true,
                  action: 'bill-time',
                  description: `Bill it now on a further invoice of period ${period.key} through the billing journey (the ledger bills each entry once).`,
                },
          run: null,
        },
      };
    });
  }

  return {
    name: 'approved-time-billed',
    journey: 'time-to-billing',
    question: 'unbilled-approved-time',
    reads: 'platforms',
    async run(ctx) {
      const invoices = await ledgerInvoices(db);
      const invoiceOf = new Map(invoices.map((i) => [i.key, i]));
      const lastBilled = lastBilledPeriods(invoices);
      if (lastBilled.size === 0) return [];
      // Every billed entry was worked by its invoice's period end, so one listing up to the latest end sees them all.
      const to = [...lastBilled.values()].reduce((max, p) => (p.end > max ? p.end : max), '');
      const unseen = await ledgerEntries(db);
      const pending: PendingFinding[] = [];
      const waiting = new Map<string, TimeEntry[]>();
      // Page by page at the platform's largest page: a pass holds one page of entries, not the platform's all.
      for await (const page of deps.time.timeEntryPages({ to })) {
        if (ctx.signal.aborted) throw new Error('The pass is stopping; approved-time-billed did not finish.');
        for (const e of page) {
          const billed = unseen.get(e.id);
          if (billed) {
            unseen.delete(e.id);
            const found = compareBilled(e, billed, invoiceOf.get(billed.invoiceKey)!);
            if (found) pending.push(found);
            continue;
          }
          const period = lastBilled.get(e.engagementId);
          // Work the time platform's own invoicing billed (billed, not in the ledger) is not the layer's to bill.
          if (!period || e.workDate > period.end || !e.billable || e.approvalStatus !== 'approved' || e.billingStatus === 'billed')
            continue;
          const engagementWaiting = waiting.get(e.engagementId);
          if (engagementWaiting) engagementWaiting.push(e);
          else waiting.set(e.engagementId, [e]);
        }
        ctx.compared(page.length);
      }
      for (const [engagementId, entries] of waiting)
        pending.push(...(await leftBehind(engagementId, lastBilled.get(engagementId)!, entries)));
      // Billed entries the platform no longer lists (deleted once their approval was withdrawn).
      for (const [entryId, billed] of unseen) pending.push(missingFinding(entryId, billed, invoiceOf.get(billed.invoiceKey)!));
      return withRecords(deps, pending);
    },
    async repair(finding: StoredFinding, actor: RepairActor) {
      if (finding.type !== LEFT_BEHIND || !finding.repair.safe) {
        throw new ProblemError('unprocessable-content', { detail: `Repair by hand: ${finding.repair.description}` });
      }
      const engagementId = finding.records.find((r) => r.entity === 'project')?.canonicalId;
      if (!engagementId) throw new ProblemError('unprocessable-content', { detail: 'The finding names no engagement to bill.' });
      const period = await lastBilledPeriodOf(db, engagementId);
      if (!period)
        throw new ProblemError('unprocessable-content', { detail: `The layer has billed no period of engagement ${engagementId}.` });
      // Keyed by the finding: asked again, the same run answers; the ledger bills each entry once across runs.
      const { run } = await api.billLeftBehind(
        { engagementId, periodStart: period.start, periodEnd: period.end },
        `left-behind-${finding.key}`,
      );
      deps.logger?.info(
        { exceptionId: finding.exceptionId, entryId: finding.key, engagementId, period: period.key, runId: run.id, actor: actor.consumer },
        'billing approved time a billed period left behind',
      );
      return { runId: run.id };
    },
  };
}
