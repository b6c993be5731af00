// Assignment-to-forecast as one typed in-process API: start a recalculation for an assignment
// change, query runs, and read forecasts, utilisation and staffing conflicts.
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '../../core/problems.js';
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf } from '../../core/paging.js';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { Database } from '../../core/store/schema.js';
import { retryRun, type WorkflowEngine } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/assignment-to-forecast.v1.js';
import { listRunViews, loadRun, type JourneyRuns, type Run, type RunQuery } from '../kit/run-view.js';
import { forecastOf, listConflicts, weeklyForecast, weeklyLoad, type EngagementWeek } from './store.js';
import { FORECAST_WORKFLOW, type AssignmentRunInput } from './workflow.js';

type Schemas = components['schemas'];
export type Forecast = Schemas['Forecast'];
export type UtilisationPage = Schemas['UtilisationPage'];
export type StaffingConflictPage = Schemas['StaffingConflictPage'];

const JOURNEY: JourneyRuns = { journey: 'assignment-to-forecast', definitions: [FORECAST_WORKFLOW], subjectField: 'assignmentId' };

export interface AssignmentToForecastApi {
  /** `changeKey` de-duplicates (e.g. the event id); each distinct change gets its own run. */
  startRun(
    request: { assignmentId: string; change: AssignmentRunInput['change'] },
    trigger: AssignmentRunInput['trigger'],
    changeKey?: string,
  ): Promise<{ run: Run; created: boolean }>;
  /** Starts the run inside the caller's transaction (e.g. the one that records an inbound event). */
  startRunIn(
    db: Kysely<Database>,
    request: { assignmentId: string; change: AssignmentRunInput['change']; webhook?: unknown },
    trigger: AssignmentRunInput['trigger'],
    changeKey: string,
  ): Promise<void>;
  listRuns(query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }>;
  getRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<Run>;
  getForecast(engagementId: string, query: { granularity: 'week' | 'month'; from?: string; to?: string }): Promise<Forecast>;
  /** Planned minutes of every engagement per week (weeks start on Monday) between two dates; for figures across engagements. */
  listWeeklyForecast(query: { from: string; to: string }): Promise<EngagementWeek[]>;
  listUtilisation(query: { resourceId?: string; from?: string; to?: string; cursor?: string; limit: number }): Promise<UtilisationPage>;
  listStaffingConflicts(query: {
    status?: 'open' | 'resolved';
    resourceId?: string;
    cursor?: string;
    limit: number;
  }): Promise<StaffingConflictPage>;
}

/** Utilisation pages by resource and week, conflicts by id; both bound to their filters. */
export const FORECAST_CURSORS = {
  utilisation: cursorKind('assignment-to-forecast.utilisation', { resourceId: cursorId, weekStart: z.iso.date() }),
  staffingConflicts: cursorKind('assignment-to-forecast.staffing-conflicts', { after: cursorId }),
} as const;

export function createAssignmentToForecastApi(deps: { store: Store; engine: Pick<WorkflowEngine, 'startRun'> }): AssignmentToForecastApi {
  const db = deps.store.db;
  return {
    async startRun(request, trigger, changeKey) {
      const input: AssignmentRunInput = { assignmentId: request.assignmentId, change: request.change, trigger };
      const started = await deps.engine.startRun(FORECAST_WORKFLOW, input, { runKey: `${request.assignmentId}#${changeKey ?? uuidv7()}` });
      return { run: await loadRun(db, JOURNEY, started.id), created: started.created };
    },
    async startRunIn(trx, request, trigger, changeKey) {
      const input: AssignmentRunInput = {
        assignmentId: request.assignmentId,
        change: request.change,
        trigger,
        ...(request.webhook !== undefined ? { webhook: request.webhook } : {}),
      };
      await deps.engine.startRun(FORECAST_WORKFLOW, input, { runKey: `${request.assignmentId}#${changeKey}`, db: trx });
    },
    listRuns: (query) => listRunViews(db, JOURNEY, query),
    getRun: (runId) => loadRun(db, JOURNEY, runId),
    async retryRun(runId) {
      await loadRun(db, JOURNEY, runId);
      await retryRun(db, runId);
      return loadRun(db, JOURNEY, runId);
    },
    async getForecast(engagementId, query) {
      const f = await forecastOf(db, engagementId, query.granularity, query.from, query.to);
      if (f.rows === 0) throw new ProblemError('not-found', { detail: `No assignments are known for engagement ${engagementId}.` });
      const currency = f.currency ?? 'EUR';
      return {
        engagementId,
        granularity: query.granularity,
        currency,
        periods: f.periods
          .slice(0, 260)
          .map(([periodStart, p]) => ({ periodStart, plannedMinutes: p.minutes, plannedRevenue: { amountMinor: p.revenue, currency } })),
        updatedAt: new Date(f.updatedAt).toISOString(),
      };
    },
    listWeeklyForecast: (query) => weeklyForecast(db, query.from, query.to),
    async listUtilisation(query) {
      const { cursor, limit: asked, ...filters } = query;
      const kind = FORECAST_CURSORS.utilisation;
      const scope = scopeOf(filters);
      const at = decodeOptionalCursor(kind, cursor, scope);
      const after = at && `${at.resourceId}|${at.weekStart}`;
      const limit = pageLimit(asked);
      const loads = (
        await weeklyLoad(db, {
          ...(query.resourceId ? { resourceId: query.resourceId } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
        })
      ).filter((l) => !after || `${l.resourceId}|${l.weekStart}` > after);
      const page = loads.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((l) => ({
          resourceId: l.resourceId,
          weekStart: l.weekStart,
          capacityMinutes: l.capacityMinutes,
          assignedMinutes: l.assignedMinutes,
          utilisationBasisPoints: l.capacityMinutes === 0 ? 0 : Math.round((l.assignedMinutes * 10_000) / l.capacityMinutes),
          overAllocated: l.assignedMinutes > l.capacityMinutes,
        })),
        nextCursor:
          loads.length > limit && last ? encodeCursor(kind, { resourceId: last.resourceId, weekStart: last.weekStart }, scope) : null,
      };
    },
    async listStaffingConflicts(query) {
      const kind = FORECAST_CURSORS.staffingConflicts;
      const scope = scopeOf({ status: query.status, resourceId: query.resourceId });
      const after = decodeOptionalCursor(kind, query.cursor, scope)?.after;
      const page = await listConflicts(db, {
        limit: pageLimit(query.limit),
        ...(query.status ? { status: query.status } : {}),
        ...(query.resourceId ? { resourceId: query.resourceId } : {}),
        ...(after ? { after } : {}),
      });
      return { items: page.items, nextCursor: page.next ? encodeCursor(kind, { after: page.next }, scope) : null };
    },
  };
}
