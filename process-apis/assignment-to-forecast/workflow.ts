// The assignment-to-forecast workflow: read the assignment as Scheduling now has it (with the
// resource's capacity and the role's rate on the engagement's rate card), keep its snapshot,
// then bring the resource's staffing conflicts in step. Both steps are idempotent: they
// write the latest state, whatever ran before.
import type { RegionalRules } from '../../core/regional/rules.js';
import type { Store } from '../../core/store/index.js';
import { ProblemError } from '../../core/problems.js';
import { workflow, type RetryPolicy, type WorkflowDefinition } from '../../core/workflows/index.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { SchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import { loadEngagementContext } from '../kit/engagement-context.js';
import { rateFor } from '../kit/rating.js';
import { cancelSnapshot, reconcileConflicts, saveAssignment } from './store.js';

export const FORECAST_WORKFLOW = 'assignment-to-forecast';

export interface AssignmentRunInput {
  assignmentId: string;
  change: 'created' | 'changed' | 'cancelled';
  trigger: 'api' | 'event' | 'schedule' | 'replay';
  /**
   * The scheduling platform's allocation webhook, when the run was started by one: the step
   * reads it through the scheduling system API (placeholder check, deletion record) before
   * reading the assignment's current state.
   */
  webhook?: unknown;
}

export interface AssignmentToForecastDeps {
  store: Store;
  scheduling: Pick<SchedulingSystemApi, 'getAssignment' | 'getResource' | 'assignmentChangeFromWebhook'>;
  erp: Pick<ErpSystemApi, 'getProject' | 'getLegalEntity' | 'getClient' | 'getRateCard' | 'listRateCards'>;
  rules: RegionalRules;
  retry?: Partial<RetryPolicy>;
}

export function assignmentToForecastWorkflow(deps: AssignmentToForecastDeps): WorkflowDefinition<AssignmentRunInput> {
  const { store, scheduling, erp, rules } = deps;
  return workflow<AssignmentRunInput>({
    name: FORECAST_WORKFLOW,
    journey: 'assignment-to-forecast',
    eventTypePrefix: 'com.psconnect.forecast.run',
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000, ...deps.retry },
    // A platform's refusal fails the run at once with its reason; anything else is retried.
    refusals: 'permanent',
  })
    .step('update-forecast', {
      platform: 'scheduling',
      async run({ input }) {
        let assignmentId = input.assignmentId;
        if (input.webhook !== undefined) {
          // Maps the platform's ids and records a deletion (the deleted task is gone from the platform).
          const change = await scheduling.assignmentChangeFromWebhook(input.webhook);
          if (!change) return { skipped: 'placeholder allocation: a staffing request, not an assignment' };
          assignmentId = change.assignment.id;
        }
        // The assignment as Scheduling has it now, whatever order its events arrived in.
        const assignment = await scheduling.getAssignment(assignmentId).catch((err: unknown) => {
          // Deleted on the platform before its deletion event was handled: that event settles it.
          // A cancellation asked for an assignment the platform no longer has settles itself below.
          if ((input.webhook !== undefined || input.change === 'cancelled') && err instanceof ProblemError && err.status === 404)
            return undefined;
          throw err;
        });
        if (!assignment && input.webhook === undefined) {
          // Gone from the platform with no deletion recorded (e.g. found by reconciliation before the
          // deletion check ran): the forecast stops counting the snapshot it holds.
          const gone = await cancelSnapshot(store.db, assignmentId);
          if (!gone) return { skipped: 'not on the scheduling platform and not in the forecast' };
          return {
            engagementId: gone.engagement_id,
            resourceId: gone.resource_id,
            status: 'cancelled' as const,
            priced: gone.rate_minor !== null,
          };
        }
        if (!assignment) return { skipped: 'no longer on the scheduling platform; its deletion event settles it' };
        const resource = await scheduling.getResource(assignment.resourceId);
        // The rate of the role on the card in force when the assignment starts; an engagement
        // ERP does not know yet is forecast in hours only (revenue follows once it is priced).
        let rate: { minor: number; currency: string } | undefined;
        try {
          const ctx = await loadEngagementContext(erp, rules, assignment.engagementId);
          const found = rateFor(ctx.engagement.rateCard, assignment.role, assignment.startDate);
          if (typeof found !== 'string') rate = { minor: found.hourlyRateMinor, currency: ctx.engagement.currency };
        } catch (err) {
          if (!(err instanceof Error && 'status' in err && (err as { status: number }).status === 404)) throw err;
        }
        const status = input.change === 'cancelled' ? 'cancelled' : assignment.status;
        const kept = await saveAssignment(store.db, {
          assignment_id: assignment.id,
          engagement_id: assignment.engagementId,
          resource_id: assignment.resourceId,
          role: assignment.role,
          start_date: assignment.startDate,
          end_date: assignment.endDate,
          minutes_per_week: assignment.minutesPerWeek,
          status,
          capacity_minutes: resource.capacityMinutesPerWeek,
          rate_minor: rate?.minor ?? null,
          currency: rate?.currency ?? null,
          updated_at_ms: Date.now(),
          source_updated_ms: Date.parse(assignment.updatedAt),
        });
        // Not kept: another run already saved a newer state; conflicts are still brought in step below.
        return {
          engagementId: assignment.engagementId,
          resourceId: assignment.resourceId,
          status,
          priced: rate !== undefined,
          // The allocation's modification on the platform: where this journey's sync latency starts.
          sourceUpdatedAt: assignment.updatedAt,
          ...(kept ? {} : { superseded: true }),
        };
      },
    })
    .step('flag-conflicts', {
      async run({ results }) {
        const forecast = results['update-forecast'];
        // A skipped change (placeholder, deleted assignment) touched no resource.
        if (!('resourceId' in forecast) || !forecast.resourceId) return { open: 0, resolved: 0 };
        return reconcileConflicts(store.db, forecast.resourceId);
      },
    })
    .build({
      sourceEventAt: (results) => {
        const forecast = results['update-forecast'];
        // A cancellation of a snapshot the platform no longer has carries no modification time.
        const updatedAt = 'sourceUpdatedAt' in forecast ? forecast.sourceUpdatedAt : undefined;
        return updatedAt ? Date.parse(updatedAt) : undefined;
      },
    });
}
