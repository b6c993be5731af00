// Durable workflows for journeys: named steps, checkpoints, retries with backoff and
// Retry-After, a circuit breaker per platform, compensation, dead letters, takeover.
//
// Wiring (composition root):
//   const workflows = new WorkflowEngine({ store, definitions: [opportunityToProject, …], logger });
//   workflows.start();   … on shutdown: await workflows.stop();
//   routes use workflows.startRun(name, input, { runKey }) and the query/operator functions.
export {
  defineWorkflow,
  DEFAULT_RETRY,
  type WorkflowDefinition,
  type StepDefinition,
  type StepContext,
  type CompensationContext,
  type RetryPolicy,
  type StepAttemptError,
} from './definition.js';
export { WorkflowEngine, type WorkflowEngineOptions } from './runner.js';
export { journeysOf, type Journeys } from './journeys.js';
export { noopWorkflowMetrics, promWorkflowMetrics, type WorkflowMetrics } from './metrics.js';
export {
  insertRun,
  listRuns,
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
export { RUN_STATES, type RunState, type StepState } from './schema.js';
export type * from './schema.js';
