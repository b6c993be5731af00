// Workflow runs as the process contracts' Run (openapi/components/schemas/runs.yaml), for any
// journey: core states become run statuses, steps keep attempts, times and their last error.
// A journey may mark a completed run `rejected` (its business outcome) through `outcomeOf`.
import type { Kysely } from 'kysely';
import {
  cursorId,
  cursorKind,
  decodeOptionalCursor,
  encodeCursor,
  pageLimit,
  scopeOf,
  type CursorKind,
  type Page,
} from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { getRun, type RunDetail, type RunState, type StepView } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/opportunity-to-project.v1.js';

export type Run = components['schemas']['Run'];
export type RunStatus = Run['status'];
export type RunError = components['schemas']['RunError'];
export type Journey = Run['journey'];
type RunStep = Run['steps'][number];

const STATUS_OF: Record<RunState, RunStatus> = {
  pending: 'queued',
  running: 'running',
  waiting: 'waiting',
  completed: 'succeeded',
  failed: 'failed',
  compensated: 'failed',
  cancelled: 'failed',
};

export interface JourneyRuns {
  journey: Journey;
  /** Workflow definitions whose runs belong to this journey. */
  definitions: readonly string[];
  /** The input field that names the run's subject (e.g. `opportunityId`). */
  subjectField: string;
  /** A completed run whose business outcome is a rejection (e.g. invalid terms), with its reasons. */
  rejectionOf?(detail: RunDetail): RunError | undefined;
}

export function errorCode(name: string): string {
  const kebab = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (kebab || 'error').slice(0, 64);
}

function step(s: StepView, nextAttemptAt: string | undefined): RunStep {
  const last = s.errors[s.errors.length - 1];
  const status: RunStep['status'] =
    s.state === 'completed' ? 'succeeded' : s.state === 'failed' ? 'failed' : s.state === 'running' ? 'running' : 'pending';
  return {
    name: s.name,
    status,
    attempts: s.attempts,
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
    ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(last && s.state !== 'completed' ? { error: { code: errorCode(last.name), detail: last.message.slice(0, 2000) } } : {}),
  };
}

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

export function runView(journey: JourneyRuns, detail: RunDetail, nextAttemptMs?: number): Run {
  const input = asObject(detail.input) ?? {};
  const { trigger, ...publicInput } = input as { trigger?: Run['trigger'] };
  const rejection = detail.state === 'completed' ? journey.rejectionOf?.(detail) : undefined;
  const status = rejection ? 'rejected' : STATUS_OF[detail.state];
  const error = asObject(detail.error) as { name?: string; message?: string } | undefined;
  const result = asObject(detail.result);
  const nextAttemptAt = status === 'waiting' && nextAttemptMs ? new Date(nextAttemptMs).toISOString() : undefined;
  const subject = input[journey.subjectField];
  return {
    id: detail.id,
    journey: journey.journey,
    status,
    trigger: trigger ?? 'api',
    ...(typeof subject === 'string' ? { subject } : {}),
    correlationId: detail.id,
    steps: detail.steps.map((s) => step(s, s.name === detail.currentStep ? nextAttemptAt : undefined)),
    // The generated type reads a free-form `type: object` as Record<string, never>.
    input: publicInput as Run['input'],
    ...(result ? { result: result as Run['result'] } : {}),
    ...(rejection ? { error: rejection } : {}),
    ...(error && status === 'failed'
      ? { error: { code: errorCode(error.name ?? 'failed'), detail: (error.message ?? 'The run failed.').slice(0, 2000) } }
      : {}),
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    ...(detail.finishedAt ? { finishedAt: detail.finishedAt } : {}),
  };
}

export async function loadRun(db: Kysely<Database>, journey: JourneyRuns, runId: string): Promise<Run> {
  const row = await db.selectFrom('workflow_runs').select(['definition', 'next_attempt_ms']).where('id', '=', runId).executeTakeFirst();
  if (!row || !journey.definitions.includes(row.definition))
    throw new ProblemError('not-found', { detail: `No ${journey.journey} run ${runId}.` });
  return runView(journey, await getRun(db, runId), Number(row.next_attempt_ms));
}

export interface RunQuery {
  status?: RunStatus;
  subject?: string;
  createdAfter?: string;
  createdBefore?: string;
  cursor?: string;
  limit: number;
}

const STATES_OF: Record<RunStatus, RunState[]> = {
  queued: ['pending'],
  running: ['running'],
  waiting: ['waiting'],
  succeeded: ['completed'],
  failed: ['failed', 'compensated', 'cancelled'],
  rejected: ['completed'],
};

/** A journey's runs page by the last run id, bound to the journey and the filters. */
export function runCursorKind(journey: Journey): CursorKind<{ after: string }> {
  return cursorKind(`${journey}.runs`, { after: cursorId });
}

/**
 * Newest first; the cursor is the last id of the page (ids are UUIDv7, time-ordered). Run keys
 * start with the subject (`<subject>` or `<subject>#<n>`), which is how `subject` filters.
 * `succeeded` and `rejected` are both completed runs, told apart after loading.
 */
export async function listRunViews(db: Kysely<Database>, journey: JourneyRuns, query: RunQuery): Promise<Page<Run>> {
  const { cursor, limit: asked, ...filters } = query;
  const kind = runCursorKind(journey.journey);
  const scope = scopeOf(filters);
  let after = decodeOptionalCursor(kind, cursor, scope)?.after;
  const limit = pageLimit(asked);
  const items: Run[] = [];
  let more = true;
  while (items.length < limit && more) {
    let q = db
      .selectFrom('workflow_runs')
      .select(['id', 'next_attempt_ms'])
      .where('definition', 'in', [...journey.definitions])
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.status) q = q.where('state', 'in', STATES_OF[query.status]);
    if (query.subject) {
      const s = query.subject;
      q = q.where((eb) => eb.or([eb('run_key', '=', s), eb('run_key', 'like', `${s}#%`)]));
    }
    if (query.createdAfter) q = q.where('created_at_ms', '>=', Date.parse(query.createdAfter));
    if (query.createdBefore) q = q.where('created_at_ms', '<', Date.parse(query.createdBefore));
    if (after) q = q.where('id', '<', after);
    const rows = await q.execute();
    more = rows.length > limit;
    for (const r of rows.slice(0, limit)) {
      after = r.id;
      const view = runView(journey, await getRun(db, r.id), Number(r.next_attempt_ms));
      if (!query.status || view.status === query.status) items.push(view);
      if (items.length === limit) break;
    }
  }
  const hasMore = more || items.length === limit;
  return { items, nextCursor: hasMore && after ? encodeCursor(kind, { after }, scope) : null };
}
