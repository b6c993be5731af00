// Durable workflows for journeys: named, typed steps, checkpoints, retries with backoff and
// Retry-After, one refusal policy, a circuit breaker per platform, compensation, dead letters, takeover.
//
// Wiring (composition root):
//   const workflows = new WorkflowEngine({ store, definitions: [opportunityToProject, …], logger });
//   workflows.start();   … on shutdown: await workflows.stop();
//   routes use workflows.startRun(name, input, { runKey }) and the query/operator functions.
export {
  defineWorkflow,
  workflow,
  WorkflowBuilder,
  DEFAULT_RETRY,
  DEFAULT_REFUSALS,
  type WorkflowOptions,
  type WorkflowDefinition,
  type StepDefinition,
  type StepPolicy,
  type TypedStep,
  type TypedWorkflowDefinition,
  type StepResults,
  type StepContext,
  type CompensationContext,
  type Persisted,
  type RetryPolicy,
  type StepAttemptError,
} from './definition.js';
export type { RefusalPolicy } from '../resilience/refusals.js';
export { stepResults } from './results.js';
export { WorkflowEngine, type WorkflowEngineOptions } from './runner.js';
export { journeysOf, type Journeys } from './journeys.js';
export { noopWorkflowMetrics, promWorkflowMetrics, type WorkflowMetrics } from './metrics.js';
export {
  insertRun,
  listRuns,
  RUN_SUMMARY_COLUMNS,
  getRun,
  listDeadLetters,
  retryRun,
  replayDeadLetter,
  discardDeadLetter,
  cancelRun,
  type StartedRun,
  type RunSummary,
  type RunDetail,
  type StepView,
  type DeadLetter,
  type RunFilter,
} from './runs.js';
export { RUN_STATES, RUN_OUTCOMES, type RunState, type StepState, type RunOutcomeKind } from './schema.js';
export type * from './schema.js';
