// Counters the runner reports (runs finished by outcome, step failures, dead letters) and each
// journey's sync latency, behind a small interface; promWorkflowMetrics backs it with prom-client.
import { Counter, Histogram, type Registry } from 'prom-client';

export interface WorkflowMetrics {
  /** A run reached a final state: completed, failed, cancelled or compensated. */
  runFinished(definition: string, state: string): void;
  /** A step attempt failed; `final` when no retry follows. */
  stepFailed(definition: string, step: string, final: boolean): void;
  deadLettered(definition: string, step: string): void;
  /** A completed run was refused or skipped (see `WorkflowDefinition.outcome`). */
  runOutcome?(definition: string, outcome: string): void;
  /** A run did its work: seconds from the platform event it carried (`sourceEventAt`) to its completion. */
  journeySynced?(journey: string, seconds: number): void;
}

/**
 * Sync latency spans seconds (a CRM change provisioned) to weeks (hours approved early in a month
 * and billed after it ends): buckets from 1 s to 31 days.
 */
export const SYNC_LATENCY_BUCKETS = [
  1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 43_200, 86_400, 259_200, 604_800, 1_209_600, 2_678_400,
];

export const noopWorkflowMetrics: WorkflowMetrics = { runFinished: () => {}, stepFailed: () => {}, deadLettered: () => {} };

export function promWorkflowMetrics(registry: Registry, prefix = 'layer_workflow'): WorkflowMetrics {
  const runs = new Counter({
    name: `${prefix}_runs_finished_total`,
    help: 'Workflow runs that reached a final state.',
    labelNames: ['definition', 'state'],
    registers: [registry],
  });
  const failures = new Counter({
    name: `${prefix}_step_failures_total`,
    help: 'Failed workflow step attempts.',
    labelNames: ['definition', 'step', 'final'],
    registers: [registry],
  });
  const letters = new Counter({
    name: `${prefix}_dead_letters_total`,
    help: 'Workflow runs dead-lettered after their last attempt.',
    labelNames: ['definition', 'step'],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: `${prefix}_run_outcomes_total`,
    help: 'Completed workflow runs that were refused (the platform data said no) or skipped (nothing to do).',
    labelNames: ['definition', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'layer_journey_sync_latency_seconds',
    help: 'Seconds from the event on the source platform (its own timestamp) to the run that carried it across completing, by journey.',
    labelNames: ['journey'],
    buckets: SYNC_LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    journeySynced: (journey, seconds) => latency.observe({ journey }, seconds),
    runOutcome: (definition, outcome) => outcomes.inc({ definition, outcome }),
    runFinished: (definition, state) => runs.inc({ definition, state }),
    stepFailed: (definition, step, final) => failures.inc({ definition, step, final: String(final) }),
    deadLettered: (definition, step) => letters.inc({ definition, step }),
  };
}
