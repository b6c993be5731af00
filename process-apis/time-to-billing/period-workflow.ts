// Billing a whole period: finds every engagement with approved billable work or completed,
// unbilled milestones up to the period's end and starts (or finds) its own engagement run,
// keyed by engagement and period.
import { ProblemError } from '../../core/problems.js';
import { defineWorkflow, type WorkflowDefinition } from '../../core/workflows/index.js';
import { insertRun } from '../../core/workflows/runs.js';
import { billingPeriod, engagementRunKey, type BillingRunInput } from './period.js';
import { TIME_TO_BILLING_JOURNEY, unbilledMilestones, unbilledWork, type TimeToBillingDeps } from './workflow.js';

export const PERIOD_WORKFLOW = 'time-to-billing-period';

export function periodBillingWorkflow(
  deps: TimeToBillingDeps,
  engagementWorkflow: WorkflowDefinition<BillingRunInput>,
): WorkflowDefinition<BillingRunInput> {
  return defineWorkflow<BillingRunInput>({
    name: PERIOD_WORKFLOW,
    journey: TIME_TO_BILLING_JOURNEY,
    eventTypePrefix: 'com.psconnect.billing.period-run',
    retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000, ...deps.retry },
    steps: [
      {
        name: 'start-engagement-runs',
        platform: 'time',
        async run({ input }) {
          const period = billingPeriod(input.periodStart, input.periodEnd);
          const work = await unbilledWork(deps.time, undefined, period.end);
          // Completed, unbilled milestones of fixed-fee engagements are billable work too.
          const milestones = await unbilledMilestones(deps.erp, undefined, period.end);
          const engagements = [
            ...new Set([
              ...work.entries.map((e) => e.engagementId),
              ...work.expenses.map((x) => x.engagementId),
              ...milestones.map((m) => m.engagementId),
            ]),
          ].sort();
          const runs: Array<{ engagementId: string; runId: string }> = [];
          const unknown: string[] = [];
          // Inserting the runs is idempotent by key, so a retried step starts nothing twice.
          for (const engagementId of engagements) {
            // Work Time holds for a project ERP does not know cannot be invoiced: reported here,
            // not started as runs that can only fail.
            const known = await deps.erp.getProject(engagementId).then(
              () => true,
              (err: unknown) => {
                if (err instanceof ProblemError && err.status === 404) return false;
                throw err;
              },
            );
            if (!known) {
              unknown.push(engagementId);
              continue;
            }
            const started = await insertRun(
              deps.store.db,
              engagementWorkflow,
              { ...input, engagementId },
              engagementRunKey(engagementId, period),
            );
            runs.push({ engagementId, runId: started.id });
          }
          return {
            period: period.key,
            engagements: runs.length,
            runs: runs.slice(0, 40),
            unknownEngagements: unknown.length,
            unknownEngagementIds: unknown.slice(0, 40),
          };
        },
      },
    ],
  });
}
