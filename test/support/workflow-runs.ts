// A workflow run written straight into the store, in a given state, for tests of what reads runs
// (reconciliation checks, repairs) without a workflow definition to run it.
import type { Kysely } from 'kysely';
import type { Database } from '../../core/store/schema.js';
import type { RunState } from '../../core/workflows/schema.js';
import { newId } from '../../core/xref/index.js';

export interface StoredRun {
  id?: string;
  definition: string;
  /** Default: the run's id. */
  runKey?: string;
  state: RunState;
  input?: unknown;
  currentStep?: string | null;
  error?: string | null;
  /** Default: now. */
  createdAt?: number;
  updatedAt?: number;
  /** Default: `updatedAt` for a finished run, else none. */
  finishedAt?: number | null;
  /** A completed run's outcome (refused, skipped) and its reason. */
  outcome?: 'refused' | 'skipped';
  outcomeReason?: string;
}

export async function insertRun(db: Kysely<Database>, run: StoredRun): Promise<string> {
  const id = run.id ?? newId();
  const now = Date.now();
  const updatedAt = run.updatedAt ?? now;
  const finished = run.state === 'completed' || run.state === 'failed';
  await db
    .insertInto('workflow_runs')
    .values({
      id,
      definition: run.definition,
      run_key: run.runKey ?? id,
      input: JSON.stringify(run.input ?? {}),
      state: run.state,
      current_step: run.currentStep ?? null,
      result: run.state === 'completed' ? '{}' : null,
      error: run.error ?? null,
      next_attempt_ms: now,
      claimed_by: null,
      lease_until_ms: null,
      created_at_ms: run.createdAt ?? now,
      updated_at_ms: updatedAt,
      finished_at_ms: run.finishedAt === undefined ? (finished ? updatedAt : null) : run.finishedAt,
      outcome: run.outcome ?? null,
      outcome_reason: run.outcomeReason ?? null,
    })
    .execute();
  return id;
}
