// Starting runs (de-duplicated by business key), the query API (list with filters, one run
// with its steps) and the operator actions (retry a failed run, replay or discard a dead letter,
// cancel).
import { pageLimit } from '../paging.js';
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '../problems.js';
import type { Database } from '../store/schema.js';
import type { RunOutcomeKind } from './schema.js';
import type { StepAttemptError, WorkflowDefinition } from './definition.js';
import {
  CANCEL_BY_OPERATOR,
  RUN_STATES,
  type DeadLetterState,
  type RunState,
  type StepState,
  type WorkflowDeadLettersTable,
} from './schema.js';
import './schema.js';

export interface StartedRun {
  id: string;
  runKey: string;
  /** False when a run with this key already existed: that run is returned, nothing new starts. */
  created: boolean;
  state: RunState;
}

/**
 * Records a new run (state pending, all steps pending) unless one with the same
 * (definition, runKey) exists. Pass the caller's transaction as `db` to start the run
 * atomically with the state change that asks for it.
 */
export async function insertRun<I>(
  db: Kysely<Database>,
  definition: WorkflowDefinition<I>,
  input: I,
  runKey?: string,
): Promise<StartedRun> {
  const id = uuidv7();
  const key = runKey ?? id;
  const now = Date.now();
  const write = async (trx: Kysely<Database>): Promise<StartedRun> => {
    const inserted = await trx
      .insertInto('workflow_runs')
      .values({
        id,
        definition: definition.name,
        run_key: key,
        input: JSON.stringify(input ?? null),
        state: 'pending',
        current_step: definition.steps[0].name,
        result: null,
        error: null,
        next_attempt_ms: now,
        claimed_by: null,
        lease_until_ms: null,
        created_at_ms: now,
        updated_at_ms: now,
        finished_at_ms: null,
      })
      .onConflict((oc) => oc.columns(['definition', 'run_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const existing = await trx
        .selectFrom('workflow_runs')
        .select(['id', 'state'])
        .where('definition', '=', definition.name)
        .where('run_key', '=', key)
        .executeTakeFirstOrThrow();
      return { id: existing.id, runKey: key, created: false, state: existing.state };
    }
    await trx
      .insertInto('workflow_steps')
      .values(
        definition.steps.map((s, position) => ({
          run_id: id,
          name: s.name,
          position,
          state: 'pending' as const,
          result: null,
          errors: '[]',
          started_at_ms: null,
          finished_at_ms: null,
        })),
      )
      .execute();
    return { id, runKey: key, created: true, state: 'pending' };
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}

export interface RunSummary {
  id: string;
  definition: string;
  runKey: string;
  state: RunState;
  currentStep: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Set when a completed run was refused or skipped, with why. */
  outcome: { kind: RunOutcomeKind; reason: string } | null;
}

export interface StepView {
  name: string;
  position: number;
  state: StepState;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
  errors: StepAttemptError[];
}

export interface RunDetail extends RunSummary {
  input: unknown;
  result: unknown;
  error: unknown;
  cancelRequested: boolean;
  steps: StepView[];
  deadLetters: DeadLetter[];
}

export interface DeadLetter {
  id: number;
  runId: string;
  definition: string;
  step: string;
  input: unknown;
  errors: StepAttemptError[];
  state: DeadLetterState;
  createdAt: string;
  replayedAt: string | null;
  /** Who discarded it, when and why; present only on a discarded letter. */
  discard?: { reason: string; by: string; correlationId: string | null; at: string };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

type RunRow = Pick<
  Selectable<Database['workflow_runs']>,
  | 'id'
  | 'definition'
  | 'run_key'
  | 'state'
  | 'current_step'
  | 'created_at_ms'
  | 'updated_at_ms'
  | 'finished_at_ms'
  | 'outcome'
  | 'outcome_reason'
>;

/** The columns a run summary reads. */
export const RUN_SUMMARY_COLUMNS = [
  'id',
  'definition',
  'run_key',
  'state',
  'current_step',
  'created_at_ms',
  'updated_at_ms',
  'finished_at_ms',
  'outcome',
  'outcome_reason',
] as const;

function summary(r: RunRow): RunSummary {
  return {
    id: r.id,
    definition: r.definition,
    runKey: r.run_key,
    state: r.state,
    currentStep: r.current_step,
    createdAt: iso(r.created_at_ms) as string,
    updatedAt: iso(r.updated_at_ms) as string,
    finishedAt: iso(r.finished_at_ms),
    outcome: r.outcome ? { kind: r.outcome, reason: r.outcome_reason ?? '' } : null,
  };
}

export interface RunFilter {
  definition?: string;
  state?: RunState;
  since?: Date;
  /** Page size, by the shared rule (core/paging.ts). */
  limit?: number;
  /** The last id of the previous page (ids are UUIDv7, so they sort by creation). */
  after?: string;
}

/** Runs, newest first, filtered; returns the page and the cursor for the next one. */
export async function listRuns(db: Kysely<Database>, filter: RunFilter = {}): Promise<{ runs: RunSummary[]; next: string | null }> {
  if (filter.state && !RUN_STATES.includes(filter.state)) {
    throw new ProblemError('validation-failed', {
      detail: `Unknown run state ${filter.state}.`,
      errors: [{ pointer: '/state', detail: `must be one of ${RUN_STATES.join(', ')}` }],
    });
  }
  const limit = pageLimit(filter.limit);
  let q = db
    .selectFrom('workflow_runs')
    .select([...RUN_SUMMARY_COLUMNS])
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.definition) q = q.where('definition', '=', filter.definition);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.since) q = q.where('created_at_ms', '>=', filter.since.getTime());
  if (filter.after) q = q.where('id', '<', filter.after);
  const rows = await q.execute();
  const page = rows.slice(0, limit).map(summary);
  return { runs: page, next: rows.length > limit ? page[page.length - 1].id : null };
}

function deadLetter(r: Selectable<WorkflowDeadLettersTable>): DeadLetter {
  return {
    id: Number(r.id),
    runId: r.run_id,
    definition: r.definition,
    step: r.step,
    input: json(r.input),
    errors: json(r.errors) as StepAttemptError[],
    state: r.state,
    createdAt: iso(r.created_at_ms) as string,
    replayedAt: iso(r.replayed_at_ms),
    ...(r.state === 'discarded'
      ? {
          discard: {
            reason: r.discard_reason ?? '',
            by: r.discarded_by ?? '',
            correlationId: r.discard_correlation_id,
            at: iso(r.discarded_at_ms) as string,
          },
        }
      : {}),
  };
}

export async function getRun(db: Kysely<Database>, id: string): Promise<RunDetail> {
  const run = await db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run) throw new ProblemError('not-found', { detail: `No workflow run ${id}.` });
  const steps = await db.selectFrom('workflow_steps').selectAll().where('run_id', '=', id).orderBy('position').execute();
  const letters = await db.selectFrom('workflow_dead_letters').selectAll().where('run_id', '=', id).orderBy('id').execute();
  return {
    ...summary(run),
    input: json(run.input),
    result: json(run.result),
    error: json(run.error),
    cancelRequested: Number(run.cancel_requested) !== 0,
    steps: steps.map((s) => ({
      name: s.name,
      position: Number(s.position),
      state: s.state,
      attempts: Number(s.attempts),
      startedAt: iso(s.started_at_ms),
      finishedAt: iso(s.finished_at_ms),
      result: json(s.result),
      errors: json(s.errors) as StepAttemptError[],
    })),
    deadLetters: letters.map(deadLetter),
  };
}

export async function listDeadLetters(
  db: Kysely<Database>,
  options: { state?: DeadLetterState; definition?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  let q = db
    .selectFrom('workflow_dead_letters')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.max(1, Math.min(options.limit ?? 100, 500)));
  if (options.state) q = q.where('state', '=', options.state);
  if (options.definition) q = q.where('definition', '=', options.definition);
  return (await q.execute()).map(deadLetter);
}

/**
 * Operator action: resume a failed run from the step that failed (completed steps are not
 * re-run), with a fresh retry budget for that step. Its open dead letters become `replayed`.
 */
export async function retryRun(db: Kysely<Database>, runId: string): Promise<void> {
  await db.transaction().execute((trx) => resumeFailedRun(trx, runId, Date.now()));
}

async function resumeFailedRun(trx: Transaction<Database>, runId: string, now: number): Promise<void> {
  const run = await trx.selectFrom('workflow_runs').select(['state', 'current_step']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw new ProblemError('not-found', { detail: `No workflow run ${runId}.` });
  if (run.state !== 'failed')
    throw new ProblemError('conflict', { detail: `Run ${runId} is ${run.state}; only a failed run can be retried.` });
  await trx
    .updateTable('workflow_runs')
    .set({
      state: 'pending',
      error: null,
      next_attempt_ms: now,
      claimed_by: null,
      lease_until_ms: null,
      updated_at_ms: now,
      finished_at_ms: null,
    })
    .where('id', '=', runId)
    .where('state', '=', 'failed')
    .execute();
  await trx
    .updateTable('workflow_steps')
    .set({ state: 'pending', attempts: 0 })
    .where('run_id', '=', runId)
    .where('state', '=', 'failed')
    .execute();
  await trx
    .updateTable('workflow_dead_letters')
    .set({ state: 'replayed', replayed_at_ms: now })
    .where('run_id', '=', runId)
    .where('state', '=', 'open')
    .execute();
}

/**
 * Operator action: replay a dead letter, i.e. resume its run from the step it reached. The
 * letter is claimed by a conditional update (open → replayed) in the same transaction as the
 * resume, so a concurrent discard or second replay of it is a conflict, never both.
 */
export async function replayDeadLetter(db: Kysely<Database>, deadLetterId: number): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const now = Date.now();
    const letter = await claimOpenLetter(trx, deadLetterId, { state: 'replayed', replayed_at_ms: now }, 'replayed');
    await resumeFailedRun(trx, letter.run_id, now);
    return letter.run_id;
  });
}

/**
 * Moves an open dead letter to another state by a conditional update, so that of two operator
 * actions on one letter at the same moment exactly one wins; answers the letter as it is now.
 */
async function claimOpenLetter(
  db: Kysely<Database> | Transaction<Database>,
  deadLetterId: number,
  change: Updateable<WorkflowDeadLettersTable>,
  action: 'replayed' | 'discarded',
): Promise<Selectable<WorkflowDeadLettersTable>> {
  const updated = await db
    .updateTable('workflow_dead_letters')
    .set(change)
    .where('id', '=', deadLetterId)
    .where('state', '=', 'open')
    .executeTakeFirst();
  const row = await db.selectFrom('workflow_dead_letters').selectAll().where('id', '=', deadLetterId).executeTakeFirst();
  if (!row) throw new ProblemError('not-found', { detail: `No dead letter ${deadLetterId}.` });
  if (Number(updated.numUpdatedRows) !== 1) {
    throw new ProblemError('conflict', { detail: `Dead letter ${deadLetterId} is ${row.state}; only an open one can be ${action}.` });
  }
  return row;
}

/**
 * Operator action: give up on a dead letter, saying why. Only an open letter can be discarded,
 * and only once: the update is conditional on `open`, so a concurrent replay or discard makes
 * this one a conflict instead of overwriting it. Its run stays failed (retryRun can still
 * resume it, deliberately); a discarded letter is never marked replayed. Pass a transaction
 * to commit it with the caller's audit entry.
 */
export async function discardDeadLetter(
  db: Kysely<Database> | Transaction<Database>,
  deadLetterId: number,
  discard: { reason: string; by: string; correlationId?: string | null },
): Promise<DeadLetter> {
  const reason = discard.reason.trim();
  if (!reason)
    throw new ProblemError('validation-failed', {
      detail: 'A discard needs a reason.',
      errors: [{ pointer: '/reason', detail: 'must not be blank' }],
    });
  const change = {
    state: 'discarded' as const,
    discard_reason: reason.slice(0, 500),
    discarded_by: discard.by.slice(0, 256),
    discard_correlation_id: discard.correlationId?.slice(0, 128) ?? null,
    discarded_at_ms: Date.now(),
  };
  return deadLetter(await claimOpenLetter(db, deadLetterId, change, 'discarded'));
}

/**
 * Operator action: cancel a run. Completed steps are compensated in reverse order by the
 * runner (at once if no process holds the run; otherwise its holder stops at the next
 * heartbeat), then the run ends `cancelled`.
 */
export async function cancelRun(db: Kysely<Database>, runId: string): Promise<void> {
  const now = Date.now();
  const run = await db.selectFrom('workflow_runs').select('state').where('id', '=', runId).executeTakeFirst();
  if (!run) throw new ProblemError('not-found', { detail: `No workflow run ${runId}.` });
  if (run.state === 'completed' || run.state === 'cancelled' || run.state === 'compensated') {
    throw new ProblemError('conflict', { detail: `Run ${runId} is ${run.state} and cannot be cancelled.` });
  }
  await db
    .updateTable('workflow_runs')
    .set((eb) => ({
      cancel_requested: CANCEL_BY_OPERATOR,
      // A failed or waiting run becomes due now so that a runner picks it up to compensate.
      state: eb
        .case()
        .when('state', '=', 'failed')
        .then('waiting' as RunState)
        .else(eb.ref('state'))
        .end(),
      next_attempt_ms: now,
      updated_at_ms: now,
    }))
    .where('id', '=', runId)
    .where('state', 'not in', ['completed', 'cancelled', 'compensated'])
    .execute();
}
