// What the business figures read, and from where: the platforms through their system APIs, and
// the journeys' own views (forecast, unbilled work, billing holds, open exceptions) through
// their public APIs, typed here by what is used so this module depends on no journey's wiring.
import type { Money } from '../../core/money.js';
import type { ErpSystemApi } from '../../system-apis/erp/index.js';
import type { SchedulingSystemApi } from '../../system-apis/scheduling/index.js';
import type { TimeSystemApi } from '../../system-apis/time/index.js';
import { allPages } from '../kit/all-pages.js';
import type { Capacity, InvoiceFacts, PlannedWeek, RecordedTime, Window } from './figures.js';

type Paged<T> = Promise<{ items: T[]; nextCursor: string | null }>;

export interface FigureSources {
  erp: Pick<ErpSystemApi, 'listInvoices'>;
  time: Pick<TimeSystemApi, 'timeEntryPages'>;
  scheduling: Pick<SchedulingSystemApi, 'listResources'>;
  /** Assignment-to-forecast's planned minutes per engagement and week. */
  forecast: { listWeeklyForecast(query: { from: string; to: string }): Promise<PlannedWeek[]> };
  /** Time-to-billing's unbilled work and billing holds, rated by its rate cards. */
  billing: {
    listUnbilledWork(query: { engagementId?: string; cursor?: string; limit: number }): Paged<{ amount: Money }>;
    listBillingHolds(query: { cursor?: string; limit: number }): Paged<{ waitingAmount?: Money }>;
  };
  /** The reconciliation journey's business views (open exceptions and money at risk per question); absent until it is wired in. */
  reconciliation?: { businessViews(): Promise<Array<{ openExceptions: number; moneyAtRisk: Money[] }>> };
}

const PAGE = 200;

/** What one computation read: each source's answer, or why it could not be read. */
export interface SourceReadings {
  invoices: Reading<InvoiceFacts[]>;
  entries: Reading<RecordedTime[]>;
  resources: Reading<Capacity[]>;
  planned: Reading<PlannedWeek[]>;
  unbilled: Reading<UnbilledReading>;
  holds: Reading<Money[]>;
  atRisk: Reading<{ count: number; amounts: Money[] }> | undefined;
}

export interface UnbilledReading {
  /** One amount per engagement with unbilled work. */
  amounts: Money[];
  /** Engagements with approved unbilled time that time-to-billing could not rate (e.g. unknown to ERP), with the first reason. */
  unrated: number;
  unratedReason?: string;
}

export type Reading<T> = { ok: true; value: T } | { ok: false; reason: string };

async function reading<T>(what: string, read: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, reason: `${what} could not be read (${messageOf(err).slice(0, 120)})` };
  }
}

/** Reads every source at once; a source that fails leaves only its own figures out. */
export async function readSources(sources: FigureSources, window: Window): Promise<SourceReadings> {
  const [invoices, entries, resources, planned, unbilled, holds, atRisk] = await Promise.all([
    reading('ERP invoices', () => allPages((cursor) => sources.erp.listInvoices({ limit: PAGE, ...(cursor ? { cursor } : {}) }))),
    reading('time entries', () => recordedTime(sources, window)),
    reading('scheduling resources', () =>
      allPages((cursor) => sources.scheduling.listResources({ limit: PAGE, ...(cursor ? { cursor } : {}) })),
    ),
    reading('the forecast', () => sources.forecast.listWeeklyForecast({ from: window.from, to: window.to })),
    reading('unbilled work', () => unbilledWork(sources)),
    reading('billing holds', async () =>
      (await allPages((cursor) => sources.billing.listBillingHolds({ limit: PAGE, ...(cursor ? { cursor } : {}) }))).flatMap((h) =>
        h.waitingAmount ? [h.waitingAmount] : [],
      ),
    ),
    sources.reconciliation ? reading('reconciliation exceptions', () => openExceptionsAtRisk(sources.reconciliation!)) : undefined,
  ]);
  return { invoices, entries, resources, planned, unbilled, holds, atRisk };
}

/** The window's time entries, page by page, keeping of each only what the figures read. */
async function recordedTime(sources: FigureSources, window: Window): Promise<RecordedTime[]> {
  const recorded: RecordedTime[] = [];
  for await (const page of sources.time.timeEntryPages({ from: window.from, to: window.to }))
    for (const e of page)
      recorded.push({
        engagementId: e.engagementId,
        workDate: e.workDate,
        billable: e.billable,
        durationMinutes: e.durationMinutes,
        ...(e.durationHours === undefined ? {} : { durationHours: e.durationHours }),
      });
  return recorded;
}

/** Engagements rated one by one at most, and how many at a time: each asks Time and ERP in turn. */
const ONE_BY_ONE_MAX = 100;
const ONE_BY_ONE_AT_ONCE = 4;

/**
 * Time-to-billing's unbilled work, all engagements at once; when one engagement cannot be rated
 * (its project unknown to ERP, say) that listing fails whole, so each engagement with approved
 * unbilled time is then asked on its own, a few at a time, and those that fail are counted, not
 * guessed. Past ONE_BY_ONE_MAX engagements that would cost the platforms' rate budgets more than
 * the figure is worth: it is left out, saying why.
 */
async function unbilledWork(sources: FigureSources): Promise<UnbilledReading> {
  const billing = sources.billing;
  let whole: unknown;
  try {
    const all = await allPages((cursor) => billing.listUnbilledWork({ limit: PAGE, ...(cursor ? { cursor } : {}) }));
    return { amounts: all.map((w) => w.amount), unrated: 0 };
  } catch (err) {
    whole = err;
  }
  // Only the engagements are kept, page by page: approved unbilled time can be a large part of the platform.
  const waitingEngagements = new Set<string>();
  for await (const page of sources.time.timeEntryPages({ approvalStatus: 'approved', billingStatus: 'unbilled' }))
    for (const e of page) if (e.billable) waitingEngagements.add(e.engagementId);
  const engagements = [...waitingEngagements].sort();
  if (engagements.length > ONE_BY_ONE_MAX)
    throw new Error(`${messageOf(whole)}; ${engagements.length} engagements are too many to rate one by one`);
  const answers: Array<PromiseSettledResult<{ items: Array<{ amount: Money }> }>> = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < engagements.length; i = next++)
      answers[i] = await billing.listUnbilledWork({ engagementId: engagements[i]!, limit: 1 }).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
  };
  await Promise.all(Array.from({ length: Math.min(ONE_BY_ONE_AT_ONCE, engagements.length) }, worker));
  const failed = answers.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
  return {
    amounts: answers.flatMap((a) => (a.status === 'fulfilled' ? a.value.items.map((w) => w.amount) : [])),
    unrated: failed.length,
    ...(failed.length ? { unratedReason: messageOf(failed[0]).slice(0, 80) } : {}),
  };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Open exceptions and their money at risk over the five questions. */
async function openExceptionsAtRisk(reconciliation: NonNullable<FigureSources['reconciliation']>) {
  const views = await reconciliation.businessViews();
  return { count: views.reduce((sum, v) => sum + v.openExceptions, 0), amounts: views.flatMap((v) => v.moneyAtRisk) };
}
