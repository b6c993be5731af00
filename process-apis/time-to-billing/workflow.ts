// The time-to-billing workflow for one engagement and billing period: wait out a billing hold,
// allocate approved billable work to one invoice in the store, post that invoice to ERP
// (keyed in ERP, so an earlier attempt's invoice is found, not doubled), then record each entry
// billed in the layer's billing ledger (through the time system API; nothing is written to the
// time platform) and each milestone billed in ERP.
import type { Logger } from '../../core/observability/logger.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import { PermanentError, TransientError } from '../../core/resilience/errors.js';
import type { Store } from '../../core/store/index.js';
import { workflow, type RetryPolicy, type WorkflowDefinition } from '../../core/workflows/index.js';
import type { Invoice, Milestone } from '../../system-apis/erp/canonical.js';
import type { BillableExpense, BillableTimeEntry, BillingMilestone } from '../kit/billing-model.js';
import {
  allocatedAmong,
  clearHold,
  invoiceByKey,
  invoiceOfRun,
  markAllocations,
  recordErpFigures,
  recordHold,
  recordInvoice,
  setInvoiceState,
  unmarkedAllocations,
  type Allocation,
} from './billing-store.js';
import { loadEngagementContext } from '../kit/engagement-context.js';
import { draftInvoice } from './invoice-draft.js';
import { allocationsOfDraft, erpLines, MAX_LINES_PER_INVOICE, splitLines } from './invoice-lines.js';
import { billingPeriod, type BillingRunInput } from './period.js';
import { allPages, collectPages } from '../kit/all-pages.js';
import { type ErpForBilling, type Expense, type TimeEntry, type TimeForBilling } from './ports.js';
import { hundredthsOfEntry, ratedAmountMinor, rateEntries } from '../kit/rating.js';
import { hundredthsToMinutes } from '../../core/hours.js';

/** The journey, as metrics and the operations view label its runs (both workflows). */
export const TIME_TO_BILLING_JOURNEY = 'time-to-billing';
export const ENGAGEMENT_WORKFLOW = 'time-to-billing';

/** Records per call to the time system API's billing ledger (its contract's maximum). */
const BILLING_BATCH = 1000;

export interface TimeToBillingDeps {
  store: Store;
  erp: ErpForBilling;
  time: TimeForBilling;
  rules: RegionalRules;
  /** Warns when ERP's invoice figures differ from the draft's (the regional rule and ERP's tax setup disagree). */
  logger?: Pick<Logger, 'warn'>;
  /** How often a held engagement is checked again. Default 15 minutes. */
  holdRecheckMs?: number;
  /** Milestones marked billed in ERP at once. Default 8. */
  markConcurrency?: number;
  /** Retry policy of every step (defaults: 8 attempts, 0.5 s doubling to 60 s). */
  retry?: Partial<RetryPolicy>;
}

export function toBillableEntry(e: TimeEntry): BillableTimeEntry {
  return {
    id: e.id,
    engagementId: e.engagementId,
    resourceId: e.resourceId,
    role: e.role,
    workDate: e.workDate,
    hoursHundredths: hundredthsOfEntry(e),
    billable: e.billable,
    approved: e.approvalStatus === 'approved',
    billed: e.billingStatus === 'billed',
  };
}

export function toBillableExpense(x: Expense): BillableExpense {
  return {
    id: x.id,
    engagementId: x.engagementId,
    incurredOn: x.incurredOn,
    description: x.description ?? x.category,
    amount: x.amount,
    billable: x.billable,
    approved: x.approvalStatus === 'approved',
    billed: x.billingStatus === 'billed',
  };
}

export function toBillingMilestone(m: Milestone): BillingMilestone {
  return {
    id: m.id,
    engagementId: m.engagementId,
    name: m.name,
    amount: m.amount,
    ...(m.completedOn ? { completedOn: m.completedOn } : {}),
    billed: m.billingStatus === 'billed',
  };
}

/** Completed milestones ERP has not billed yet, of one engagement or all, completed by `to`. */
export async function unbilledMilestones(
  erp: Pick<ErpForBilling, 'listMilestones'>,
  engagementId: string | undefined,
  to: string,
): Promise<BillingMilestone[]> {
  const milestones = await allPages((cursor) =>
    erp.listMilestones({
      status: 'completed',
      billingStatus: 'unbilled',
      limit: 200,
      ...(engagementId ? { engagementId } : {}),
      ...(cursor ? { cursor } : {}),
    }),
  );
  return milestones.filter((m) => m.completedOn !== undefined && m.completedOn <= to).map(toBillingMilestone);
}

/** Approved, billable, not yet billed work of one engagement up to `to`, as Time reports it. */
export async function unbilledWork(
  time: TimeForBilling,
  engagementId: string | undefined,
  to: string | undefined,
): Promise<{ entries: TimeEntry[]; expenses: Expense[] }> {
  const query = {
    approvalStatus: 'approved' as const,
    billingStatus: 'unbilled' as const,
    ...(engagementId ? { engagementId } : {}),
    ...(to ? { to } : {}),
  };
  const [entries, expenses] = await Promise.all([
    // Entries in the platform's largest pages: a period's work can be many thousands.
    collectPages(time.timeEntryPages(query)),
    allPages((cursor) => time.listExpenses({ ...query, limit: 200, ...(cursor ? { cursor } : {}) })),
  ]);
  return { entries: entries.filter((e) => e.billable), expenses: expenses.filter((x) => x.billable) };
}

/**
 * The earliest last change among approved work billed (an approved entry is locked, so its last
 * change is its approval): where the journey's sync latency starts.
 */
function oldestApproval(work: ReadonlyArray<{ updatedAt: string }>): { oldestApprovedAt?: string } {
  const stamps = work.map((w) => w.updatedAt).filter((s) => !Number.isNaN(Date.parse(s)));
  if (stamps.length === 0) return {};
  return { oldestApprovedAt: stamps.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a)) };
}

async function mapLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export function engagementBillingWorkflow(deps: TimeToBillingDeps): WorkflowDefinition<BillingRunInput> {
  const { store, erp, time, rules } = deps;
  const db = store.db;
  const holdRecheckMs = deps.holdRecheckMs ?? 15 * 60_000;
  return workflow<BillingRunInput>({
    name: ENGAGEMENT_WORKFLOW,
    journey: TIME_TO_BILLING_JOURNEY,
    eventTypePrefix: 'com.psconnect.billing.run',
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000, ...deps.retry },
    // A platform's refusal fails the run at once with its reason; anything else is retried.
    refusals: 'permanent',
  })
    .step('check-billing-hold', {
      // No platform breaker here: waiting out a hold is not ERP failing, and must not open
      // the breaker that every other billing run shares. A hold can last weeks: the run
      // waits, re-checking, instead of failing.
      retry: { maxAttempts: 100_000 },
      async run({ input }) {
        const engagementId = input.engagementId!;
        const ctx = await loadEngagementContext(erp, rules, engagementId);
        if (!ctx.engagement.billingHold) {
          await clearHold(db, engagementId);
          return { held: false };
        }
        const period = billingPeriod(input.periodStart, input.periodEnd);
        const waiting = await unbilledWork(time, engagementId, period.end);
        // What waits: rated hours of a time-and-materials engagement, completed milestones of a fixed-fee one.
        const amount =
          ctx.engagement.billingModel === 'time-and-materials'
            ? ratedAmountMinor(rateEntries(waiting.entries.map(toBillableEntry), ctx.engagement.rateCard).rated)
            : (await unbilledMilestones(erp, engagementId, period.end)).reduce((sum, m) => sum + m.amount.amountMinor, 0);
        await recordHold(db, {
          engagementId,
          reason: 'The engagement is on billing hold in ERP.',
          waitingMinutes: hundredthsToMinutes(waiting.entries.reduce((sum, e) => sum + (hundredthsOfEntry(e) || 0), 0)),
          waitingEntries: waiting.entries.length,
          waitingAmount: { amountMinor: amount, currency: ctx.engagement.currency },
        });
        throw new TransientError(`Engagement ${engagementId} is on billing hold; approved work waits.`, { retryAfterMs: holdRecheckMs });
      },
    })
    .step('allocate-entries', {
      platform: 'time',
      async run({ runId, input }) {
        const existing = await invoiceOfRun(db, runId);
        if (existing) return { invoiceKey: existing.key, resumed: true };
        const engagementId = input.engagementId!;
        const period = billingPeriod(input.periodStart, input.periodEnd);
        const ctx = await loadEngagementContext(erp, rules, engagementId);
        const work = await unbilledWork(time, engagementId, period.end);
        // Fixed-fee and milestone engagements bill completed milestones (their hours are not billed as time).
        const completed =
          ctx.engagement.billingModel === 'time-and-materials' ? [] : await unbilledMilestones(erp, engagementId, period.end);
        // Work an invoice already holds (Time or ERP not yet told) is not billed again.
        const taken = await allocatedAmong(db, [
          ...work.entries.map((e) => e.id),
          ...work.expenses.map((x) => x.id),
          ...completed.map((m) => m.id),
        ]);
        const freshEntries = work.entries.filter((e) => !taken.has(e.id));
        const freshExpenses = work.expenses.filter((x) => !taken.has(x.id));
        const entries = freshEntries.map(toBillableEntry);
        const expenses = freshExpenses.map(toBillableExpense);
        const milestones = completed.filter((m) => !taken.has(m.id));
        const outcome = draftInvoice({
          engagement: ctx.engagement,
          period,
          customer: ctx.customer,
          entries,
          expenses,
          milestones,
          rules,
        });
        if (outcome.kind === 'on-hold') throw new TransientError(outcome.reason, { retryAfterMs: holdRecheckMs });
        if (outcome.kind === 'blocked') throw new PermanentError(outcome.reason);
        if (outcome.kind === 'nothing-to-bill')
          return { invoiceKey: null, exceptionCount: outcome.exceptions.length, exceptions: outcome.exceptions.slice(0, 50) };
        const hundredthsOf = new Map(entries.map((e) => [e.id, e.hoursHundredths]));
        const draft = splitLines(outcome.draft, hundredthsOf);
        if (draft.lines.length > MAX_LINES_PER_INVOICE) {
          throw new PermanentError(`The invoice would have ${draft.lines.length} lines; ERP takes at most ${MAX_LINES_PER_INVOICE}.`);
        }
        const row = await recordInvoice(db, { runId, draft, allocations: allocationsOfDraft(draft, hundredthsOf) });
        return {
          invoiceKey: row.key,
          ...oldestApproval([...freshEntries, ...freshExpenses]),
          sequence: row.sequence,
          lines: draft.lines.length,
          exceptionCount: outcome.exceptions.length,
          exceptions: outcome.exceptions.slice(0, 50),
        };
      },
    })
    .step('post-invoice', {
      platform: 'erp',
      async run({ results }) {
        const key = results['allocate-entries'].invoiceKey;
        if (!key) return { erpInvoiceId: null };
        const row = (await invoiceByKey(db, key))!;
        let invoice: Invoice | undefined;
        if (row.erpInvoiceId) invoice = await erp.getInvoice(row.erpInvoiceId!);
        else {
          // An earlier attempt may have created it before failing or dying without recording it:
          // the create is keyed by engagement, period and sequence in ERP, so it answers that invoice
          // as it is and writes nothing. Issued today, due after the issuing entity's payment terms.
          const issueDate = new Date().toISOString().slice(0, 10);
          const termsDays = rules.entity(row.draft.legalEntityCode).paymentTermsDays;
          const dueDate = new Date(Date.parse(`${issueDate}T00:00:00Z`) + termsDays * 86_400_000).toISOString().slice(0, 10);
          invoice = await erp.createInvoice({
            engagementId: row.engagementId,
            periodStart: row.draft.period.start,
            periodEnd: row.draft.period.end,
            issueDate,
            dueDate,
            lines: erpLines(row.draft),
            post: true,
            // Keys the invoice in ERP: created again after a lost answer, it is found, not doubled.
            sequence: row.sequence,
          });
          // The invoice of this key must bill exactly this draft's work (an invoice the key found
          // that bills anything else is not ours to mark): stop and show it rather than mis-mark.
          const billed = invoice.lines.flatMap((l) => l.sources.map((s) => s.id)).sort();
          const drafted = row.draft.lines.flatMap((l) => l.sourceIds).sort();
          if (billed.join() !== drafted.join()) {
            throw new PermanentError(
              `ERP invoice ${invoice.number ?? invoice.id} holds the key of this engagement, period and sequence but bills other work.`,
            );
          }
        }
        await setInvoiceState(db, key, 'created', invoice.id);
        if (invoice.status === 'draft') invoice = await erp.postInvoice(invoice!.id);
        // Off the posting backlog: ERP holds it as posted (the entries are marked next).
        await setInvoiceState(db, key, 'posted');
        // ERP computes each line's amount and tax: the layer keeps ERP's figures, not its draft's.
        // A difference means the regional rule and ERP's tax setup disagree; the run shows it.
        const erpFigures = {
          netMinor: invoice.netTotal.amountMinor,
          taxMinor: invoice.taxTotal.amountMinor,
          totalMinor: invoice.total.amountMinor,
        };
        await recordErpFigures(db, key, erpFigures);
        const drafted = {
          netMinor: row.draft.subtotal.amountMinor,
          taxMinor: row.draft.tax.amountMinor,
          totalMinor: row.draft.total.amountMinor,
        };
        const agrees = drafted.netMinor === erpFigures.netMinor && drafted.taxMinor === erpFigures.taxMinor;
        if (!agrees) {
          deps.logger?.warn(
            { invoiceKey: key, erpInvoiceId: invoice.id, currency: row.draft.currency, drafted, erp: erpFigures },
            "ERP's invoice figures differ from the draft; the layer keeps ERP's (check the legal entity's tax rounding rule)",
          );
        }
        return {
          erpInvoiceId: invoice.id,
          total: invoice.total,
          tax: invoice.taxTotal,
          status: invoice.status,
          ...(agrees ? {} : { draftDiffers: { drafted, erp: erpFigures } }),
        };
      },
    })
    .step('mark-billed', {
      platform: 'time',
      async run({ results }) {
        const key = results['allocate-entries'].invoiceKey;
        if (!key) return { invoiceId: null, entries: 0 };
        const row = (await invoiceByKey(db, key))!;
        const invoice = await erp.getInvoice(row.erpInvoiceId!);
        const lineOf = new Map<string, string>();
        for (const line of invoice.lines) for (const s of line.sources) lineOf.set(s.id, line.id);
        const pending = await unmarkedAllocations(db, key);
        // Time entries and expenses go to the layer's billing ledger in batches (one call each,
        // all or nothing); milestones are marked in ERP one by one (an invoice has few).
        const work = pending.filter((a) => a.sourceKind === 'time-entry' || a.sourceKind === 'expense');
        for (let i = 0; i < work.length; i += BILLING_BATCH) {
          const batch = work.slice(i, i + BILLING_BATCH);
          await time.recordBilling({
            invoiceId: invoice.id,
            records: batch.map((a) => ({
              kind: a.sourceKind as 'time-entry' | 'expense',
              id: a.sourceId,
              ...(a.sourceKind === 'time-entry' && lineOf.get(a.sourceId) ? { invoiceLineId: lineOf.get(a.sourceId)! } : {}),
            })),
          });
          await markAllocations(
            db,
            batch.map((a) => a.sourceId),
          );
        }
        const milestones = pending.filter((a) => a.sourceKind === 'milestone');
        await mapLimited(milestones, deps.markConcurrency ?? 8, async (a: Allocation) => {
          await erp.markMilestoneBilled(a.sourceId, { invoiceId: invoice.id });
          await markAllocations(db, [a.sourceId]);
        });
        await setInvoiceState(db, key, 'marked');
        return { invoiceId: invoice.id, entries: pending.length, total: invoice.total, tax: invoice.taxTotal };
      },
    })
    .build({
      // From the earliest approval the invoice bills to the invoice posted and its work marked billed.
      sourceEventAt: (results) => {
        const allocated = results['allocate-entries'];
        return allocated.invoiceKey && 'oldestApprovedAt' in allocated && allocated.oldestApprovedAt
          ? Date.parse(allocated.oldestApprovedAt)
          : undefined;
      },
    });
}
