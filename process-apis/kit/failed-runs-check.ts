// A reconciliation check any journey can use for its own failed runs: each failed run (with its
// open dead letter, if any) is a finding naming the business record it was about, the step that
// stopped and the error, with `retry-run` as the repair an operator triggers.
import type { Kysely } from 'kysely';
import type { Money } from '../../core/money.js';
import type { Database } from '../../core/store/schema.js';
import { retryRun } from '../../core/workflows/index.js';
import type { Finding, ReconciliationCheck, ReconciliationQuestion, RecordRef } from './reconciliation.js';
import type { Journey } from './run-view.js';

/** A failed run as the check hands it to the journey, to name the business record it was about. */
export interface FailedRun {
  id: string;
  workflow: string;
  /** The run's input as started (parsed JSON). */
  input: unknown;
  step: string | null;
  error: string | null;
  failedAt: Date;
}

/** What the journey says about a failed run of its own. */
export interface FailedRunSubject {
  /** The business records the run was about (the layer's run reference is added after them). */
  records: RecordRef[];
  /** e.g. `Provisioning of "Acme rollout" failed`; default: `<workflow> run failed`. */
  title?: string;
  moneyAtRisk?: Money | null;
}

export interface FailedRunsCheckOptions {
  name: string;
  journey: Journey;
  question: ReconciliationQuestion;
  /** The finding type, e.g. `provisioning-run-failed`. */
  type: string;
  db: Kysely<Database>;
  /** The workflow definitions whose failed runs count (not the journey's intake, for instance). */
  workflows: readonly string[];
  describe(run: FailedRun): FailedRunSubject | Promise<FailedRunSubject>;
  /** Wakes the engine after a retry, so the run does not wait for its next poll. */
  kick?: () => void;
}

/** Runs read per query: failed runs are few; the bound keeps a pathological backlog from one huge read. */
const BATCH = 500;
const ERROR_DETAIL_MAX = 1_500;

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** The run's error in words: the engine keeps `{step, attempts, name, message}` as JSON; an operator reads the message. */
function errorText(error: string | null): string {
  if (!error) return 'no error recorded';
  const recorded = parse(error) as { name?: unknown; message?: unknown } | null;
  if (typeof recorded?.message !== 'string') return error;
  return typeof recorded.name === 'string' ? `${recorded.message} (${recorded.name})` : recorded.message;
}

/**
 * Failed runs of the given workflows as findings. Reads only the layer's tables, so it runs on the
 * short live schedule and a run that fails shows within one interval. Retrying is not safe to do
 * unattended: the engine already retried with backoff, and a run that fails for a lasting reason
 * would fail again on every pass; an operator retries once the cause is fixed.
 */
export function failedRunsCheck(options: FailedRunsCheckOptions): ReconciliationCheck {
  const { db, workflows } = options;
  return {
    name: options.name,
    journey: options.journey,
    question: options.question,
    reads: 'layer',
    async estimate() {
      if (workflows.length === 0) return 0;
      const row = await db
        .selectFrom('workflow_runs')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('state', '=', 'failed')
        .where('definition', 'in', [...workflows])
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async run(ctx) {
      if (workflows.length === 0) return [];
      const findings: Finding[] = [];
      let after = '';
      for (;;) {
        const runs = await db
          .selectFrom('workflow_runs')
          .select(['id', 'definition', 'input', 'current_step', 'error', 'updated_at_ms'])
          .where('state', '=', 'failed')
          .where('definition', 'in', [...workflows])
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        if (runs.length === 0) break;
        const letters = await db
          .selectFrom('workflow_dead_letters')
          .select(['id', 'run_id'])
          .where('state', '=', 'open')
          .where(
            'run_id',
            'in',
            runs.map((r) => r.id),
          )
          .execute();
        const letterOf = new Map(letters.map((l) => [l.run_id, Number(l.id)]));
        for (const run of runs) {
          const failed: FailedRun = {
            id: run.id,
            workflow: run.definition,
            input: parse(run.input),
            step: run.current_step,
            error: run.error,
            failedAt: new Date(Number(run.updated_at_ms)),
          };
          const subject = await options.describe(failed);
          const error = errorText(run.error).slice(0, ERROR_DETAIL_MAX);
          const runRef: RecordRef = { platform: 'layer', entity: 'run', id: run.id, label: run.definition };
          findings.push({
            type: options.type,
            key: run.id,
            title: subject.title ?? `${run.definition} run failed`,
            detail: `Run ${run.id} (${run.definition}) failed at step ${run.current_step ?? 'unknown'}: ${error}`,
            records: [...subject.records.slice(0, 19), runRef],
            moneyAtRisk: subject.moneyAtRisk ?? null,
            since: failed.failedAt,
            repair: {
              safe: false,
              action: 'retry-run',
              description: 'Retry the run from the step that failed (completed steps are not run again), once the cause is fixed.',
            },
            run: {
              runId: run.id,
              workflow: run.definition,
              step: run.current_step,
              state: 'failed',
              deadLetterId: letterOf.get(run.id) ?? null,
            },
          });
        }
        ctx.compared(runs.length);
        if (runs.length < BATCH || ctx.signal.aborted) break;
        after = runs[runs.length - 1]!.id;
      }
      return findings;
    },
    async repair(finding) {
      const runId = finding.run?.runId ?? finding.key;
      await retryRun(db, runId);
      options.kick?.();
      return { runId };
    },
  };
}
