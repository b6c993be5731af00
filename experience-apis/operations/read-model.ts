// Read-only queries the operations view needs beyond the core's own: runs filtered by journey
// (several workflow definitions) and by a creation window, and dead letters by status (open,
// replayed, discarded: the core keeps all three) with a cursor. Everything else (one run, the actions) goes through the core modules.
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf } from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { getRun, RUN_SUMMARY_COLUMNS, type Journeys, type RunDetail as CoreRunDetail } from '../../core/workflows/index.js';
import type { WorkflowDeadLettersTable } from '../../core/workflows/schema.js';
import type { DeadLetter, DeadLetterPage, DeadLetterStatus, Json, RunDetail, RunState, RunSummary, RunSummaryPage } from './types.js';

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

/** Runs page by the last run id, dead letters by the last letter number; both bound to their filters. */
export const OPERATIONS_CURSORS = {
  runs: cursorKind('operations.runs', { after: cursorId }),
  deadLetters: cursorKind('operations.dead-letters', { after: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
} as const;

export interface RunQuery {
  journey?: string;
  workflow?: string;
  state?: RunState;
  createdAfter?: string;
  createdBefore?: string;
  cursor?: string;
  limit: number;
}

export async function listRunSummaries(db: Kysely<Database>, journeys: Journeys, query: RunQuery): Promise<RunSummaryPage> {
  const { cursor, limit: asked, ...filters } = query;
  const scope = scopeOf(filters);
  const after = decodeOptionalCursor(OPERATIONS_CURSORS.runs, cursor, scope)?.after;
  const limit = pageLimit(asked);
  let q = db
    .selectFrom('workflow_runs')
    .select([...RUN_SUMMARY_COLUMNS])
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (query.journey) {
    const journey = query.journey;
    // Its registered workflows (an intake has a name of its own), and retired ones named after it.
    const named = [journey, ...journeys.definitionsOf(journey)];
    q = q.where((eb) => eb.or([eb('definition', 'in', named), eb('definition', 'like', `${journey}-%`)]));
  }
  if (query.workflow) q = q.where('definition', '=', query.workflow);
  if (query.state) q = q.where('state', '=', query.state);
  if (query.createdAfter) q = q.where('created_at_ms', '>=', Date.parse(query.createdAfter));
  if (query.createdBefore) q = q.where('created_at_ms', '<', Date.parse(query.createdBefore));
  if (after) q = q.where('id', '<', after);
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r): RunSummary => ({
      id: r.id,
      journey: journeys.of(r.definition),
      workflow: r.definition,
      runKey: r.run_key,
      state: r.state,
      currentStep: r.current_step,
      createdAt: iso(r.created_at_ms),
      updatedAt: iso(r.updated_at_ms),
      finishedAt: r.finished_at_ms === null ? null : iso(r.finished_at_ms),
      ...(r.outcome ? { outcome: { kind: r.outcome, reason: r.outcome_reason ?? '' } } : {}),
    })),
    nextCursor: rows.length > limit ? encodeCursor(OPERATIONS_CURSORS.runs, { after: page[page.length - 1].id }, scope) : null,
  };
}

type LetterRow = Selectable<WorkflowDeadLettersTable>;

function parse(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

function letterView(journeys: Journeys, r: LetterRow): DeadLetter {
  const discarded = r.state === 'discarded';
  const status: DeadLetterStatus = r.state;
  return {
    id: Number(r.id),
    runId: r.run_id,
    journey: journeys.of(r.definition),
    workflow: r.definition,
    step: r.step,
    status,
    input: parse(r.input) as Json,
    errors: parse(r.errors) as DeadLetter['errors'],
    createdAt: iso(r.created_at_ms),
    ...(discarded
      ? {
          resolvedAt: iso(r.discarded_at_ms ?? r.created_at_ms),
          resolvedBy: r.discarded_by ?? undefined,
          discardReason: r.discard_reason ?? undefined,
        }
      : r.replayed_at_ms !== null
        ? { resolvedAt: iso(r.replayed_at_ms) }
        : {}),
  };
}

function letters(db: Kysely<Database>) {
  return db.selectFrom('workflow_dead_letters as d').selectAll('d');
}

export async function listDeadLetterViews(
  db: Kysely<Database>,
  journeys: Journeys,
  query: { journey?: string; status: DeadLetterStatus; cursor?: string; limit: number },
): Promise<DeadLetterPage> {
  const { cursor, limit: asked, ...filters } = query;
  const scope = scopeOf(filters);
  const after = decodeOptionalCursor(OPERATIONS_CURSORS.deadLetters, cursor, scope)?.after;
  const limit = pageLimit(asked);
  let q = letters(db)
    .orderBy('d.id', 'desc')
    .limit(limit + 1);
  q = q.where('d.state', '=', query.status);
  if (query.journey) {
    const journey = query.journey;
    // Its registered workflows (an intake has a name of its own), and retired ones named after it.
    const named = [journey, ...journeys.definitionsOf(journey)];
    q = q.where((eb) => eb.or([eb('d.definition', 'in', named), eb('d.definition', 'like', `${journey}-%`)]));
  }
  if (after) q = q.where('d.id', '<', after);
  const rows = (await q.execute()) as LetterRow[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => letterView(journeys, r)),
    nextCursor: rows.length > limit && last ? encodeCursor(OPERATIONS_CURSORS.deadLetters, { after: Number(last.id) }, scope) : null,
  };
}

export async function getDeadLetterView(db: Kysely<Database>, journeys: Journeys, id: number): Promise<DeadLetter> {
  const row = (await letters(db).where('d.id', '=', id).executeTakeFirst()) as LetterRow | undefined;
  if (!row) throw new ProblemError('not-found', { detail: `No dead letter ${id}.` });
  return letterView(journeys, row);
}

/** One run as the core reports it, with its dead letters as this API shows them (discards included). */
export async function getRunView(db: Kysely<Database>, journeys: Journeys, runId: string): Promise<RunDetail> {
  const run: CoreRunDetail = await getRun(db, runId);
  const letterRows = (await letters(db).where('d.run_id', '=', runId).orderBy('d.id').execute()) as LetterRow[];
  return {
    id: run.id,
    journey: journeys.of(run.definition),
    workflow: run.definition,
    runKey: run.runKey,
    state: run.state,
    currentStep: run.currentStep,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    ...(run.outcome ? { outcome: run.outcome } : {}),
    input: run.input as Json,
    ...(run.result === null ? {} : { result: run.result as Json }),
    ...(run.error === null ? {} : { error: run.error as Json }),
    cancelRequested: run.cancelRequested,
    steps: run.steps.map((s) => ({
      name: s.name,
      position: s.position,
      state: s.state,
      attempts: s.attempts,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      ...(s.result === null ? {} : { result: s.result as Json }),
      errors: s.errors as DeadLetter['errors'],
    })),
    deadLetters: letterRows.map((r) => letterView(journeys, r)),
  };
}
