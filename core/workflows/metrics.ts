// Counters the runner reports (runs finished by outcome, step failures, dead letters),
// behind a small interface; promWorkflowMetrics backs it with prom-client for /metrics.
import { Counter, type Registry } from 'prom-client';

export interface WorkflowMetrics {
  /** A run reached a final state: completed, failed, cancelled or compensated. */
  runFinished(definition: string, state: string): void;
  /** A step attempt failed; `final` when no retry follows. */
  stepFailed(definition: string, step: string, final: boolean): void;
  deadLettered(definition: string, step: string): void;
  /** A completed run was refused or skipped (see `WorkflowDefinition.outcome`). */
  runOutcome?(definition: string, outcome: string): void;
}

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
  return {
    runOutcome: (definition, outcome) => outcomes.inc({ definition, outcome }),
    runFinished: (definition, state) => runs.inc({ definition, state }),
    stepFailed: (definition, step, final) => failures.inc({ definition, step, final: String(final) }),
    deadLettered: (definition, step) => letters.inc({ definition, step }),
  };
}
