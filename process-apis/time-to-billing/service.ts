// Time-to-billing as one typed in-process API: start runs (per engagement and period, or a
// whole period), query and retry them, and report holds and unbilled work. Routes, the
// schedule and the portal's read model call this; the workflows run in the shared engine.
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf } from '../../core/paging.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { Database } from '../../core/store/schema.js';
import { retryRun, type WorkflowDefinition, type WorkflowEngine } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/time-to-billing.v1.js';
import { allocatedAmong, listHolds } from './billing-store.js';
import { PERIOD_WORKFLOW, periodBillingWorkflow } from './period-workflow.js';
import { billingPeriod, engagementRunKey, type BillingRunInput } from './period.js';
import type { ErpForBilling } from './ports.js';
import { hundredthsOfEntry, ratedAmountMinor, rateEntries } from '../kit/rating.js';
import { hundredthsToHours, hundredthsToMinutes } from '../../core/hours.js';
import {
  engagementBillingWorkflow,
  ENGAGEMENT_WORKFLOW,
  toBillableEntry,
  unbilledMilestones,
  unbilledWork,
  type TimeToBillingDeps,
} from './workflow.js';
import { listRunViews, loadRun, type JourneyRuns, type Run, type RunQuery } from '../kit/run-view.js';
import { loadEngagementContext } from '../kit/engagement-context.js';

type Schemas = components['schemas'];
export type BillingHoldPage = Schemas['BillingHoldPage'];
export type UnbilledWorkPage = Schemas['UnbilledWorkPage'];
export type UnbilledWork = Schemas['UnbilledWork'];

const JOURNEY: JourneyRuns = {
  journey: 'time-to-billing',
  definitions: [ENGAGEMENT_WORKFLOW, PERIOD_WORKFLOW],
  subjectField: 'engagementId',
};

export interface TimeToBillingApi {
  /** Starts the run for the period (one engagement, or all with approved work); `created: false` when it existed. */
  startRun(
    request: { periodStart: string; periodEnd: string; engagementId?: string },
    trigger: BillingRunInput['trigger'],
  ): Promise<{ run: Run; created: boolean }>;
  /** Starts the run inside the caller's transaction (e.g. the one that records an inbound event). */
  startRunIn(
    db: Kysely<Database>,
    request: { periodStart: string; periodEnd: string; engagementId?: string },
    trigger: BillingRunInput['trigger'],
  ): Promise<void>;
  /**
   * Bills work a billed period left behind (approved after its run) on a further invoice of that
   * period, in a run keyed by the period and `repairKey`: one run per key however often it is
   * asked, and the billing ledger bills each entry at most once whichever run reaches it first.
   */
  billLeftBehind(
    request: { engagementId: string; periodStart: string; periodEnd: string },
    repairKey: string,
  ): Promise<{ run: Run; created: boolean }>;
  listRuns(query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }>;
  getRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<Run>;
  listBillingHolds(query: { engagementId?: string; cursor?: string; limit: number }): Promise<BillingHoldPage>;
  listUnbilledWork(query: { engagementId?: string; cursor?: string; limit: number }): Promise<UnbilledWorkPage>;
}

/** The workflow definitions to register with the process's WorkflowEngine. */
export function timeToBillingWorkflows(deps: TimeToBillingDeps): WorkflowDefinition<BillingRunInput>[] {
  const engagement = engagementBillingWorkflow(deps);
  return [engagement, periodBillingWorkflow(deps, engagement)];
}

/** Both collections page by engagement id, bound to the engagement filter. */
export const TIME_TO_BILLING_CURSORS = {
  billingHolds: cursorKind('time-to-billing.billing-holds', { after: cursorId }),
  unbilledWork: cursorKind('time-to-billing.unbilled-work', { after: cursorId }),
} as const;

export function createTimeToBillingApi(deps: {
  store: Store;
  engine: Pick<WorkflowEngine, 'startRun'>;
  erp: ErpForBilling;
  time: TimeToBillingDeps['time'];
  rules: RegionalRules;
}): TimeToBillingApi {
  const { store, engine } = deps;
  const db = store.db;
  return {
    async startRun(request, trigger) {
      const period = billingPeriod(request.periodStart, request.periodEnd);
      const input: BillingRunInput = {
        periodStart: period.start,
        periodEnd: period.end,
        trigger,
        ...(request.engagementId ? { engagementId: request.engagementId } : {}),
      };
      const started = request.engagementId
        ? await engine.startRun(ENGAGEMENT_WORKFLOW, input, { runKey: engagementRunKey(request.engagementId, period) })
        : await engine.startRun(PERIOD_WORKFLOW, input, { runKey: `all:${period.key}` });
      return { run: await loadRun(db, JOURNEY, started.id), created: started.created };
    },
    async startRunIn(trx, request, trigger) {
      const period = billingPeriod(request.periodStart, request.periodEnd);
      const input: BillingRunInput = {
        periodStart: period.start,
        periodEnd: period.end,
        trigger,
        ...(request.engagementId ? { engagementId: request.engagementId } : {}),
      };
      if (request.engagementId)
        await engine.startRun(ENGAGEMENT_WORKFLOW, input, { runKey: engagementRunKey(request.engagementId, period), db: trx });
      else await engine.startRun(PERIOD_WORKFLOW, input, { runKey: `all:${period.key}`, db: trx });
    },
    async billLeftBehind(request, repairKey) {
      const period = billingPeriod(request.periodStart, request.periodEnd);
      const input: BillingRunInput = {
        periodStart: period.start,
        periodEnd: period.end,
        engagementId: request.engagementId,
        trigger: 'replay',
      };
      const runKey = `${engagementRunKey(request.engagementId, period)}:${repairKey}`;
      const started = await engine.startRun(ENGAGEMENT_WORKFLOW, input, { runKey });
      return { run: await loadRun(db, JOURNEY, started.id), created: started.created };
    },
    listRuns: (query) => listRunViews(db, JOURNEY, query),
    getRun: (runId) => loadRun(db, JOURNEY, runId),
    async retryRun(runId) {
      await loadRun(db, JOURNEY, runId);
      await retryRun(db, runId);
      return loadRun(db, JOURNEY, runId);
    },
    async listBillingHolds(query) {
      const kind = TIME_TO_BILLING_CURSORS.billingHolds;
      const scope = scopeOf({ engagementId: query.engagementId });
      const after = decodeOptionalCursor(kind, query.cursor, scope)?.after;
      const page = await listHolds(db, {
        limit: pageLimit(query.limit),
        ...(query.engagementId ? { engagementId: query.engagementId } : {}),
        ...(after ? { after } : {}),
      });
      return { items: page.items, nextCursor: page.next ? encodeCursor(kind, { after: page.next }, scope) : null };
    },
    async listUnbilledWork(query) {
      // The cursor and size are checked before the platforms are read.
      const kind = TIME_TO_BILLING_CURSORS.unbilledWork;
      const scope = scopeOf({ engagementId: query.engagementId });
      const after = decodeOptionalCursor(kind, query.cursor, scope)?.after;
      const limit = pageLimit(query.limit);
      const [work, completed] = await Promise.all([
        unbilledWork(deps.time, query.engagementId, undefined),
        unbilledMilestones(deps.erp, query.engagementId, '9999-12-31'),
      ]);
      const taken = new Set<string>();
      // Work an invoice holds but Time (or ERP) has not yet been told about is billed, not waiting.
      for (const id of await allocatedAmong(db, [
        ...work.entries.map((e) => e.id),
        ...work.expenses.map((x) => x.id),
        ...completed.map((m) => m.id),
      ]))
        taken.add(id);
      const byEngagement = new Map<
        string,
        { entries: typeof work.entries; expenses: typeof work.expenses; milestones: typeof completed }
      >();
      const of = (engagementId: string) =>
        byEngagement.get(engagementId) ?? byEngagement.set(engagementId, { entries: [], expenses: [], milestones: [] }).get(engagementId)!;
      for (const e of work.entries) if (!taken.has(e.id)) of(e.engagementId).entries.push(e);
      for (const x of work.expenses) if (!taken.has(x.id)) of(x.engagementId).expenses.push(x);
      for (const m of completed) if (!taken.has(m.id)) of(m.engagementId).milestones.push(m);
      const ids = [...byEngagement.keys()].sort().filter((id) => !after || id > after);
      const pageIds = ids.slice(0, limit);
      const items: UnbilledWork[] = [];
      for (const engagementId of pageIds) {
        const { entries, expenses, milestones } = byEngagement.get(engagementId)!;
        const ctx = await loadEngagementContext(deps.erp, deps.rules, engagementId);
        // A time-and-materials engagement bills its hours; a fixed-fee one its completed milestones.
        const timeAndMaterials = ctx.engagement.billingModel === 'time-and-materials';
        const rated = timeAndMaterials ? rateEntries(entries.map(toBillableEntry), ctx.engagement.rateCard).rated : [];
        const timeMinor = ratedAmountMinor(rated);
        const expenseMinor = expenses
          .filter((x) => x.amount.currency === ctx.engagement.currency)
          .reduce((sum, x) => sum + x.amount.amountMinor, 0);
        const billedMilestones = timeAndMaterials ? [] : milestones.filter((m) => m.amount.currency === ctx.engagement.currency);
        const milestoneMinor = billedMilestones.reduce((sum, m) => sum + m.amount.amountMinor, 0);
        const dates = entries.map((e) => e.workDate).sort();
        const approvedHundredths = entries.reduce((sum, e) => sum + (hundredthsOfEntry(e) || 0), 0);
        items.push({
          engagementId,
          approvedMinutes: hundredthsToMinutes(approvedHundredths),
          approvedHours: hundredthsToHours(approvedHundredths),
          entryCount: entries.length,
          expenseCount: expenses.length,
          ...(billedMilestones.length ? { milestoneCount: billedMilestones.length } : {}),
          amount: { amountMinor: timeMinor + expenseMinor + milestoneMinor, currency: ctx.engagement.currency },
          ...(dates[0] ? { oldestWorkDate: dates[0] } : {}),
        });
      }
      return { items, nextCursor: ids.length > limit ? encodeCursor(kind, { after: pageIds[pageIds.length - 1]! }, scope) : null };
    },
  };
}
