// Reconciliation checks of assignment-to-forecast (question `out-of-sync-assignments`): the
// scheduling platform's assignments against the forecast the layer keeps, and the journey's
// failed runs. Repairs run the journey's own workflow, keyed by the exception.
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { Assignment } from '../../system-apis/scheduling/canonical.js';
import type { SchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import { allPages } from '../kit/all-pages.js';
import { failedRunsCheck } from '../kit/failed-runs-check.js';
import { withRecordLinks } from '../kit/platform-records.js';
import type { CheckContext, Finding, ReconciliationCheck, RecordRef, StoredFinding } from '../kit/reconciliation.js';
import { compareConflicts } from './conflict-comparison.js';
import { compareAssignment, ratesByRole, removedAssignment, schedulingRecord } from './forecast-comparison.js';
import type { AtfAssignmentsTable } from './schema.js';
import type { AssignmentToForecastApi } from './service.js';
import { FORECAST_WORKFLOW, type AssignmentRunInput } from './workflow.js';

const JOURNEY = 'assignment-to-forecast';
const QUESTION = 'out-of-sync-assignments';
/** Float's largest page: the fewest reads of its 200 a minute. */
const PAGE = 200;
/** Most candidates are answered from the cross-reference (not ERP's); a few at once keep the pass short. */
const ERP_LOOKUPS_AT_ONCE = 8;

export interface ForecastChecksDeps {
  store: Store;
  /** Also names the records of findings: Float's own ids (`recordLinks`). */
  scheduling: Pick<SchedulingSystemApi, 'listAssignments' | 'listResources' | 'recordLinks'>;
  erp: Pick<ErpSystemApi, 'getProject'>;
  /** Wakes the engine after a retried run. */
  kick?: () => void;
}

export interface ForecastChecksOptions {
  /**
   * Assignments changed on the platform this recently are left to the change poll (default
   * 120 s, two poll intervals): a change the poll is about to bring is not a mismatch yet.
   */
  graceMs?: number;
}

const isNotFound = (err: unknown) => err instanceof ProblemError && err.status === 404;

/** The layer's forecast as it stands: every snapshot, by assignment. */
async function snapshotsOf(store: Store): Promise<Map<string, AtfAssignmentsTable>> {
  const rows = await store.db.selectFrom('atf_assignments').selectAll().execute();
  return new Map(rows.map((r) => [r.assignment_id, r]));
}

/**
 * Engagements in the check's scope: those the forecast holds, and those of the platform's other
 * assignments that ERP knows (the layer provisioned them). A project only Scheduling has (made by
 * hand, or seeded) is not the layer's to forecast. An engagement the layer never linked to ERP is
 * answered from the cross-reference without a call to ERP.
 */
async function engagementsInScope(
  erp: ForecastChecksDeps['erp'],
  forecast: Iterable<AtfAssignmentsTable>,
  onPlatform: Assignment[],
): Promise<Set<string>> {
  const scope = new Set([...forecast].map((s) => s.engagement_id));
  const candidates = [...new Set(onPlatform.map((a) => a.engagementId).filter((id) => !scope.has(id)))];
  const known = async (engagementId: string) => {
    try {
      await erp.getProject(engagementId);
      return true;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return false;
    }
  };
  for (let i = 0; i < candidates.length; i += ERP_LOOKUPS_AT_ONCE) {
    const part = candidates.slice(i, i + ERP_LOOKUPS_AT_ONCE);
    const answers = await Promise.all(part.map(known));
    part.forEach((id, j) => answers[j] && scope.add(id));
  }
  return scope;
}

/** Every assignment on the platform and every resource's capacity, page by page. */
async function readPlatform(scheduling: ForecastChecksDeps['scheduling'], ctx: CheckContext) {
  const assignments = await allPages(async (cursor) => {
    if (ctx.signal.aborted) return { items: [], nextCursor: null };
    const page = await scheduling.listAssignments({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    ctx.compared(page.items.length);
    return page;
  });
  const resources = await allPages((cursor) => scheduling.listResources({ limit: PAGE, ...(cursor ? { cursor } : {}) }));
  return { assignments, capacities: new Map(resources.map((r) => [r.id, r.capacityMinutesPerWeek])) };
}

/** The scheduling assignment a finding is about (its first assignment record). */
function assignmentOf(finding: StoredFinding): string {
  const ref = finding.records.find((r: RecordRef) => r.platform === 'scheduling' && r.entity === 'assignment');
  if (!ref) throw new ProblemError('unprocessable-content', { detail: `Exception ${finding.exceptionId} names no scheduling assignment.` });
  return ref.canonicalId ?? ref.id;
}

export function assignmentsForecastCheck(
  deps: ForecastChecksDeps,
  api: Pick<AssignmentToForecastApi, 'startRun'>,
  options: ForecastChecksOptions = {},
): ReconciliationCheck {
  const graceMs = options.graceMs ?? 120_000;
  return {
    name: 'assignments-forecast',
    journey: JOURNEY,
    question: QUESTION,
    reads: 'platforms',
    async run(ctx) {
      const snapshots = await snapshotsOf(deps.store);
      const platform = await readPlatform(deps.scheduling, ctx);
      if (ctx.signal.aborted) return [];
      const scope = await engagementsInScope(deps.erp, snapshots.values(), platform.assignments);
      // A snapshot makes an assignment the layer's, even one since moved to a project it does not forecast.
      const inScope = platform.assignments.filter((a) => scope.has(a.engagementId) || snapshots.has(a.id));
      const rates = ratesByRole(snapshots.values());
      const findings: Finding[] = [];
      // Resources whose conflicts a resync (or the poll) settles: not compared for conflicts in this pass.
      const skipResources = new Set<string>();
      const listed = new Set(platform.assignments.map((a) => a.id));
      const settledBefore = ctx.now.getTime() - graceMs;
      for (const a of inScope) {
        const snapshot = snapshots.get(a.id);
        const finding = compareAssignment(a, snapshot, rates);
        if (!finding) continue;
        skipResources.add(a.resourceId);
        if (snapshot) skipResources.add(snapshot.resource_id);
        // Changed moments ago: the change poll brings it (and the next pass sees it if it does not).
        if (Date.parse(a.updatedAt) <= settledBefore) findings.push(finding);
      }
      let removed = 0;
      for (const s of snapshots.values()) {
        if (s.status === 'cancelled' || listed.has(s.assignment_id)) continue;
        findings.push(removedAssignment(s));
        skipResources.add(s.resource_id);
        removed++;
      }
      ctx.compared(removed);
      const openConflicts = await deps.store.db.selectFrom('atf_conflicts').selectAll().where('status', '=', 'open').execute();
      findings.push(...compareConflicts({ assignments: inScope, capacities: platform.capacities, openConflicts, skipResources }));
      return withRecordLinks({ scheduling: deps.scheduling }, findings);
    },
    async repair(finding) {
      const change: AssignmentRunInput['change'] = finding.repair.action === 'cancel-in-forecast' ? 'cancelled' : 'changed';
      const { run } = await api.startRun(
        { assignmentId: assignmentOf(finding), change },
        'replay',
        `reconciliation|${finding.exceptionId}`,
      );
      return { runId: run.id };
    },
  };
}

/** Failed forecast runs: a change the forecast does not hold until the run is retried. */
export function forecastRunsCheck(deps: Pick<ForecastChecksDeps, 'store' | 'scheduling' | 'kick'>): ReconciliationCheck {
  return failedRunsCheck({
    name: 'forecast-runs',
    journey: JOURNEY,
    question: QUESTION,
    type: 'forecast-run-failed',
    db: deps.store.db,
    workflows: [FORECAST_WORKFLOW],
    ...(deps.kick ? { kick: deps.kick } : {}),
    async describe(run) {
      const input = run.input as Partial<AssignmentRunInput> | null;
      const assignmentId = typeof input?.assignmentId === 'string' ? input.assignmentId : undefined;
      return {
        title: `Forecast of assignment ${assignmentId ?? '(unknown)'} (${input?.change ?? 'change'}) failed`,
        records: assignmentId
          ? (await withRecordLinks({ scheduling: deps.scheduling }, [{ records: [schedulingRecord('assignment', assignmentId)] }]))[0]!
              .records
          : [],
      };
    },
  });
}

/** The journey's reconciliation checks, for the reconciliation runner. */
export function assignmentToForecastChecks(
  deps: ForecastChecksDeps,
  api: Pick<AssignmentToForecastApi, 'startRun'>,
  options: ForecastChecksOptions = {},
): ReconciliationCheck[] {
  return [assignmentsForecastCheck(deps, api, options), forecastRunsCheck(deps)];
}
