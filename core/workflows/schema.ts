// Table types for workflow runs, their checkpointed steps and dead letters.
// Instants are epoch milliseconds; inputs, results and error lists are JSON text.
import type { ColumnType, Generated } from 'kysely';

export const RUN_STATES = ['pending', 'running', 'waiting', 'completed', 'failed', 'compensated', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** What came of a completed run when it was not the work it exists for (migration 0027). */
export const RUN_OUTCOMES = ['refused', 'skipped'] as const;
export type RunOutcomeKind = (typeof RUN_OUTCOMES)[number];

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'compensated';

/** Why a run is winding down: 1 = an operator cancelled it, 2 = it failed and its definition compensates on failure. */
export const CANCEL_BY_OPERATOR = 1;
export const COMPENSATE_AFTER_FAILURE = 2;

export interface WorkflowRunsTable {
  id: string;
  definition: string;
  run_key: string;
  input: string;
  state: RunState;
  current_step: string | null;
  result: string | null;
  error: string | null;
  cancel_requested: Generated<number>;
  next_attempt_ms: number;
  claimed_by: string | null;
  lease_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
  /** Set only when a completed run was refused or skipped; optional on insert. */
  outcome: ColumnType<RunOutcomeKind | null, RunOutcomeKind | null | undefined, RunOutcomeKind | null>;
  outcome_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface WorkflowStepsTable {
  run_id: string;
  name: string;
  position: number;
  state: StepState;
  attempts: Generated<number>;
  result: string | null;
  /** JSON array of StepAttemptError. */
  errors: string;
  started_at_ms: number | null;
  finished_at_ms: number | null;
}

export interface WorkflowDeadLettersTable {
  id: Generated<number>;
  run_id: string;
  definition: string;
  step: string;
  input: string;
  errors: string;
  state: DeadLetterState;
  created_at_ms: number;
  replayed_at_ms: number | null;
  /** Set when an operator discarded it (migration 0024). */
  discard_reason: string | null;
  discarded_by: string | null;
  /** The request id of the discard call. */
  discard_correlation_id: string | null;
  discarded_at_ms: number | null;
}

/** open: waiting for an operator; replayed: its run was resumed; discarded: given up on, with a reason. */
export type DeadLetterState = 'open' | 'replayed' | 'discarded';

declare module '../store/schema.js' {
  interface Database {
    workflow_runs: WorkflowRunsTable;
    workflow_steps: WorkflowStepsTable;
    workflow_dead_letters: WorkflowDeadLettersTable;
  }
}
