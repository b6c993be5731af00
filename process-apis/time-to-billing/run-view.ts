// Workflow runs as the contract's Run (openapi/components/schemas/runs.yaml): core states
// become the journey's statuses, steps keep their attempts, times and last error.
import type { Kysely } from 'kysely';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { getRun, type RunDetail, type RunState, type StepView } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/time-to-billing.v1.js';

export type Run = components['schemas']['Run'];
export type RunStatus = Run['status'];
type RunStep = Run['steps'][number];

const STATUS_OF: Record<RunState, RunStatus> = {
  pending: 'queued', running: 'running', waiting: 'waiting', completed: 'succeeded', failed: 'failed', compensated: 'failed', cancelled: 'failed',
};
const STATES_OF: Record<RunStatus, RunState[]> = {
  queued: ['pending'], running: ['running'], waiting: ['waiting'], succeeded: ['completed'], failed: ['failed', 'compensated', 'cancelled'], rejected: [],
};

function code(name: string): string {
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return (kebab || 'error').slice(0, 64);
}

function step(s: StepView, nextAttemptAt: string | undefined): RunStep {
  const last = s.errors[s.errors.length - 1];
  const status: RunStep['status'] = s.state === 'completed' ? 'succeeded' : s.state === 'failed' ? 'failed' : s.state === 'running' ? 'running' : 'pending';
  return {
    name: s.name,
    status,
    attempts: s.attempts,
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
    ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(last && s.state !== 'completed' ? { error: { code: code(last.name), detail: last.message.slice(0, 2000) } } : {}),
  };
}

function objectOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function runView(detail: RunDetail, nextAttemptMs?: number): Run {
  const input = objectOrUndefined(detail.input) ?? {};
  const { trigger, ...publicInput } = input as { trigger?: Run['trigger'] };
  const status = STATUS_OF[detail.state];
  const error = objectOrUndefined(detail.error) as { name?: string; message?: string } | undefined;
  const result = objectOrUndefined(detail.result);
  const nextAttemptAt = status === 'waiting' && nextAttemptMs ? new Date(nextAttemptMs).toISOString() : undefined;
  return {
    id: detail.id,
    journey: 'time-to-billing',
    status,
    trigger: trigger ?? 'api',
    ...(typeof input.engagementId === 'string' ? { subject: input.engagementId } : {}),
    correlationId: detail.id,
    steps: detail.steps.map((s) => step(s, s.name === detail.currentStep ? nextAttemptAt : undefined)),
    // The generated type reads `type: object` with no properties as Record<string, never>;
    // the contract documents these as free-form objects.
    input: publicInput as Run['input'],
    ...(result ? { result: result as Run['result'] } : {}),
    ...(error && status === 'failed' ? { error: { code: code(error.name ?? 'failed'), detail: (error.message ?? 'The run failed.').slice(0, 2000) } } : {}),
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    ...(detail.finishedAt ? { finishedAt: detail.finishedAt } : {}),
  };
}

export async function loadRun(db: Kysely<Database>, definitions: readonly string[], runId: string): Promise<Run> {
  const row = await db.selectFrom('workflow_runs').select(['definition', 'next_attempt_ms']).where('id', '=', runId).executeTakeFirst();
  if (!row || !definitions.includes(row.definition)) throw new ProblemError('not-found', { detail: `No time-to-billing run ${runId}.` });
  return runView(await getRun(db, runId), Number(row.next_attempt_ms));
}

export interface RunQuery {
  status?: RunStatus;
  subject?: string;
  createdAfter?: string;
  createdBefore?: string;
  cursor?: string;
  limit: number;
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new ProblemError('validation-failed', { detail: 'The cursor is not one this API issued.', errors: [{ pointer: '/query/cursor', detail: 'invalid cursor' }] });
  return id;
}

/** Newest first; the cursor is the last id of the page (ids are UUIDv7, time-ordered). */
export async function listRunViews(db: Kysely<Database>, definitions: readonly string[], query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }> {
  let q = db.selectFrom('workflow_runs').select(['id', 'next_attempt_ms']).where('definition', 'in', [...definitions]).orderBy('id', 'desc').limit(query.limit + 1);
  if (query.status) {
    const states = STATES_OF[query.status];
    if (states.length === 0) return { items: [], nextCursor: null };
    q = q.where('state', 'in', states);
  }
  if (query.subject) q = q.where('run_key', 'like', `${query.subject}:%`);
  if (query.createdAfter) q = q.where('created_at_ms', '>=', Date.parse(query.createdAfter));
  if (query.createdBefore) q = q.where('created_at_ms', '<', Date.parse(query.createdBefore));
  if (query.cursor) q = q.where('id', '<', decodeCursor(query.cursor));
  const rows = await q.execute();
  const page = rows.slice(0, query.limit);
  const items = await Promise.all(page.map(async (r) => runView(await getRun(db, r.id), Number(r.next_attempt_ms))));
  return { items, nextCursor: rows.length > query.limit ? Buffer.from(page[page.length - 1]!.id).toString('base64url') : null };
}
