// Executes one claimed run: skips checkpointed steps, attempts the next one through its
// platform's circuit breaker, checkpoints results, schedules retries, dead-letters after the
// last attempt, compensates on cancel, and emits the run's outcome through the outbox.
// Every write is fenced by `claimed_by`, so a process that lost its lease changes nothing.
import { sql, type Kysely, type Selectable } from 'kysely';
import { emit } from '../events/outbox.js';
import type { Logger } from '../observability/logger.js';
import { backoffDelay, type Random } from '../resilience/backoff.js';
import { isBrokenCircuit, type BreakerRegistry } from '../resilience/breakers.js';
import { describeError, retryHints } from '../resilience/errors.js';
import { classifyRefusal } from '../resilience/refusals.js';
import type { Database } from '../store/schema.js';
import type { WorkflowMetrics } from './metrics.js';
import { refusalPolicyFor, retryPolicyFor, type StepAttemptError, type WorkflowDefinition } from './definition.js';
import { COMPENSATE_AFTER_FAILURE, type RunState, type WorkflowRunsTable } from './schema.js';

export interface ExecutionContext {
  db: Kysely<Database>;
  workerId: string;
  breakers: BreakerRegistry;
  random: Random;
  logger?: Logger;
  metrics: WorkflowMetrics;
  /** Aborted when the lease is lost or a cancel is requested (see runner heartbeat). */
  signal: AbortSignal;
  cancelRequested(): number;
}

export class LeaseLost extends Error {
  // Not the platform's fault: keeps the circuit breaker from counting it as a failure.
  readonly retryable = false;
  constructor() {
    super('lease on the workflow run was lost');
    this.name = 'LeaseLost';
  }
}

type RunRow = Selectable<WorkflowRunsTable>;
const held = (ctx: ExecutionContext, runId: string) =>
  sql<boolean>`exists (select 1 from workflow_runs where id = ${runId} and claimed_by = ${ctx.workerId})`;

async function fenced(
  ctx: ExecutionContext,
  runId: string,
  patch: Partial<Record<keyof WorkflowRunsTable, unknown>>,
  trx: Kysely<Database> = ctx.db,
): Promise<void> {
  const res = await trx
    .updateTable('workflow_runs')
    .set({ ...(patch as object), updated_at_ms: Date.now() })
    .where('id', '=', runId)
    .where('claimed_by', '=', ctx.workerId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new LeaseLost();
}

const release = { claimed_by: null, lease_until_ms: null };

function eventType(def: WorkflowDefinition<unknown>, outcome: string): string {
  return `${def.eventTypePrefix ?? `workflow.${def.name}`}.run.${outcome}`;
}

async function finish(
  ctx: ExecutionContext,
  def: WorkflowDefinition<unknown>,
  run: RunRow,
  state: RunState,
  patch: Record<string, unknown>,
  data: Record<string, unknown>,
): Promise<void> {
  await finishTransaction(ctx, def, run, state, patch, data);
  ctx.metrics.runFinished(def.name, state);
}

async function finishTransaction(
  ctx: ExecutionContext,
  def: WorkflowDefinition<unknown>,
  run: RunRow,
  state: RunState,
  patch: Record<string, unknown>,
  data: Record<string, unknown>,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await fenced(ctx, run.id, { ...patch, state, finished_at_ms: Date.now(), ...release }, trx);
    await emit(trx, {
      type: eventType(def, state),
      source: `/workflows/${def.name}`,
      subject: run.id,
      data: { runId: run.id, definition: def.name, runKey: run.run_key, state, ...data },
    });
  });
}

export async function executeRun(ctx: ExecutionContext, def: WorkflowDefinition<unknown>, run: RunRow): Promise<void> {
  const { db } = ctx;
  const input: unknown = JSON.parse(run.input);
  const rows = await db.selectFrom('workflow_steps').selectAll().where('run_id', '=', run.id).orderBy('position').execute();
  const byName = new Map(rows.map((r) => [r.name, r]));
  const results: Record<string, unknown> = {};
  for (const r of rows)
    if (r.state === 'completed' || r.state === 'compensated') results[r.name] = r.result === null ? null : JSON.parse(r.result);

  if (ctx.cancelRequested()) return compensate(ctx, def, run, input, results);

  for (const step of def.steps) {
    const row = byName.get(step.name);
    if (row?.state === 'completed') continue;
    if (row?.state === 'running') {
      // The previous holder died (or lost its lease) mid-attempt: that attempt counts, and
      // when it was the last one the run fails instead of retrying a step that kills processes.
      const interrupted = new Error('attempt interrupted: the process running it stopped or lost its lease');
      interrupted.name = 'InterruptedAttempt';
      if (Number(row.attempts) >= retryPolicyFor(def, step).maxAttempts) {
        await stepFailed(ctx, def, run, step.name, Number(row.attempts), interrupted);
        return;
      }
      await appendStepError(ctx.db, run.id, step.name, errorEntry(Number(row.attempts), interrupted));
    }
    const attempt = Number(row?.attempts ?? 0) + 1;
    const idempotencyKey = `${run.id}:${step.name}`;
    const refusalsArePermanent = refusalPolicyFor(def, step) === 'permanent';
    let result: unknown;
    try {
      const call = async () => {
        // Count the attempt before making it, so a crash mid-step still counts.
        const started = await db
          .updateTable('workflow_steps')
          .set({ state: 'running', attempts: attempt, started_at_ms: Date.now() })
          .where('run_id', '=', run.id)
          .where('name', '=', step.name)
          .where(held(ctx, run.id))
          .executeTakeFirst();
        if (Number(started.numUpdatedRows) === 0) throw new LeaseLost();
        try {
          return await step.run({ runId: run.id, input, results: { ...results }, idempotencyKey, attempt, signal: ctx.signal });
        } catch (err) {
          // Classified inside the breaker call, so a refusal (retryable: false) does not count
          // as the platform failing, while a 5xx or a Retry-After still does.
          throw refusalsArePermanent ? classifyRefusal(err) : err;
        }
      };
      result = step.platform ? await ctx.breakers.for(step.platform).execute(call) : await call();
    } catch (err) {
      if (err instanceof LeaseLost || (ctx.signal.aborted && !ctx.cancelRequested())) return; // another process owns the run now
      if (ctx.cancelRequested()) return compensate(ctx, def, run, input, results);
      if (isBrokenCircuit(err)) {
        // An open breaker is not the step's fault: wait for it to half-open, attempt not counted.
        await fenced(ctx, run.id, {
          state: 'waiting',
          current_step: step.name,
          next_attempt_ms: Date.now() + ctx.breakers.openWaitMs,
          ...release,
        });
        return;
      }
      await stepFailed(ctx, def, run, step.name, attempt, err);
      return;
    }
    const persisted = JSON.stringify(result ?? null);
    const checkpoint = await db
      .updateTable('workflow_steps')
      .set({ state: 'completed', result: persisted, finished_at_ms: Date.now() })
      .where('run_id', '=', run.id)
      .where('name', '=', step.name)
      .where(held(ctx, run.id))
      .executeTakeFirst();
    if (Number(checkpoint.numUpdatedRows) === 0) return; // lease lost: the new holder re-runs this step with the same key
    // Later steps read the result as checkpointed, not as returned: the same value (a Date as
    // its string, no undefined) whether they run now or in the process that takes the run over.
    results[step.name] = JSON.parse(persisted);
    if (ctx.cancelRequested()) return compensate(ctx, def, run, input, results);
  }
  const ended = def.outcome?.(results, input);
  const outcome = ended ? { outcome: ended.outcome, outcome_reason: ended.reason.slice(0, 500) } : {};
  await finish(
    ctx,
    def,
    run,
    'completed',
    { result: JSON.stringify(results), current_step: null, error: null, ...outcome },
    { result: results, ...(ended ? { outcome: ended.outcome, reason: ended.reason } : {}) },
  );
  if (ended) ctx.metrics.runOutcome?.(def.name, ended.outcome);
  else observeSyncLatency(ctx, def, results, input);
}

/** Event on the source platform to effect committed: observed for runs that did their work and know the event's time. */
function observeSyncLatency(
  ctx: ExecutionContext,
  def: WorkflowDefinition<unknown>,
  results: Record<string, unknown>,
  input: unknown,
): void {
  if (!def.sourceEventAt || !ctx.metrics.journeySynced) return;
  let at: number | undefined;
  try {
    at = def.sourceEventAt(results, input);
  } catch (err) {
    ctx.logger?.warn({ definition: def.name, err: describeError(err) }, 'source event time of a completed run could not be read');
    return;
  }
  if (at === undefined || !Number.isFinite(at)) return;
  // A platform clock ahead of ours would give a negative latency: it counts as immediate.
  ctx.metrics.journeySynced(def.journey ?? def.name, Math.max(0, (Date.now() - at) / 1000));
}

function errorEntry(attempt: number, err: unknown): StepAttemptError {
  const hints = retryHints(err);
  return {
    attempt,
    at: new Date().toISOString(),
    ...describeError(err),
    ...(hints.retryAfterMs !== undefined ? { retryAfterMs: hints.retryAfterMs } : {}),
  };
}

async function readStepErrors(db: Kysely<Database>, runId: string, stepName: string): Promise<StepAttemptError[]> {
  const row = await db
    .selectFrom('workflow_steps')
    .select('errors')
    .where('run_id', '=', runId)
    .where('name', '=', stepName)
    .executeTakeFirstOrThrow();
  return JSON.parse(row.errors) as StepAttemptError[];
}

async function appendStepError(db: Kysely<Database>, runId: string, stepName: string, entry: StepAttemptError): Promise<void> {
  const errors = [...(await readStepErrors(db, runId, stepName)), entry];
  await db
    .updateTable('workflow_steps')
    .set({ errors: JSON.stringify(errors) })
    .where('run_id', '=', runId)
    .where('name', '=', stepName)
    .execute();
}

async function stepFailed(
  ctx: ExecutionContext,
  def: WorkflowDefinition<unknown>,
  run: RunRow,
  stepName: string,
  attempt: number,
  err: unknown,
): Promise<void> {
  const step = def.steps.find((s) => s.name === stepName)!;
  const policy = retryPolicyFor(def, step);
  const hints = retryHints(err);
  const described = describeError(err);
  const errors = [...(await readStepErrors(ctx.db, run.id, stepName)), errorEntry(attempt, err)];
  const last = hints.retryable === false || attempt >= policy.maxAttempts;
  await ctx.db.transaction().execute(async (trx) => {
    const now = Date.now();
    await trx
      .updateTable('workflow_steps')
      .set({ state: last ? 'failed' : 'pending', errors: JSON.stringify(errors), finished_at_ms: last ? now : null })
      .where('run_id', '=', run.id)
      .where('name', '=', stepName)
      .execute();
    if (!last) {
      const delay = hints.retryAfterMs ?? backoffDelay(attempt, policy, ctx.random);
      await fenced(ctx, run.id, { state: 'waiting', current_step: stepName, next_attempt_ms: now + delay, ...release }, trx);
      return;
    }
    await trx
      .insertInto('workflow_dead_letters')
      .values({
        run_id: run.id,
        definition: def.name,
        step: stepName,
        input: run.input,
        errors: JSON.stringify(errors),
        state: 'open',
        created_at_ms: now,
        replayed_at_ms: null,
      })
      .execute();
    const error = JSON.stringify({ step: stepName, attempts: attempt, ...described });
    if (def.compensateOnFailure) {
      // Compensation happens on the next claim, so it survives a crash like any step.
      await fenced(
        ctx,
        run.id,
        { state: 'waiting', current_step: stepName, error, cancel_requested: COMPENSATE_AFTER_FAILURE, next_attempt_ms: now, ...release },
        trx,
      );
      return;
    }
    await fenced(ctx, run.id, { state: 'failed', current_step: stepName, error, finished_at_ms: now, ...release }, trx);
    await emit(trx, {
      type: eventType(def, 'failed'),
      source: `/workflows/${def.name}`,
      subject: run.id,
      data: { runId: run.id, definition: def.name, runKey: run.run_key, state: 'failed', step: stepName, error: described },
    });
  });
  ctx.logger?.warn({ runId: run.id, step: stepName, attempt, last, err: described }, 'workflow step failed');
  ctx.metrics.stepFailed(def.name, stepName, last);
  if (last) {
    ctx.metrics.deadLettered(def.name, stepName);
    if (!def.compensateOnFailure) ctx.metrics.runFinished(def.name, 'failed');
  }
}

async function compensate(
  ctx: ExecutionContext,
  def: WorkflowDefinition<unknown>,
  run: RunRow,
  input: unknown,
  results: Record<string, unknown>,
): Promise<void> {
  const reason = ctx.cancelRequested();
  const rows = await ctx.db
    .selectFrom('workflow_steps')
    .select(['name', 'state', 'result'])
    .where('run_id', '=', run.id)
    .orderBy('position', 'desc')
    .execute();
  for (const row of rows) {
    if (row.state !== 'completed') continue;
    const step = def.steps.find((s) => s.name === row.name);
    if (step?.compensate) {
      try {
        await step.compensate({
          runId: run.id,
          input,
          results: { ...results },
          result: row.result === null ? null : JSON.parse(row.result),
          idempotencyKey: `${run.id}:${row.name}:compensate`,
          signal: new AbortController().signal,
        });
      } catch (err) {
        ctx.logger?.warn({ runId: run.id, step: row.name, err: describeError(err) }, 'compensation failed; will retry');
        await fenced(ctx, run.id, {
          state: 'waiting',
          next_attempt_ms: Date.now() + backoffDelay(3, { baseDelayMs: 1_000, maxDelayMs: 60_000 }, ctx.random),
          ...release,
        });
        return;
      }
    }
    const marked = await ctx.db
      .updateTable('workflow_steps')
      .set({ state: 'compensated' })
      .where('run_id', '=', run.id)
      .where('name', '=', row.name)
      .where(held(ctx, run.id))
      .executeTakeFirst();
    if (Number(marked.numUpdatedRows) === 0) return;
  }
  // A step interrupted mid-attempt never completed: it has no result to undo and goes back to pending.
  await ctx.db
    .updateTable('workflow_steps')
    .set({ state: 'pending' })
    .where('run_id', '=', run.id)
    .where('state', '=', 'running')
    .where(held(ctx, run.id))
    .execute();
  const state: RunState = reason === COMPENSATE_AFTER_FAILURE ? 'compensated' : 'cancelled';
  await finish(ctx, def, run, state, { current_step: null }, {});
}
