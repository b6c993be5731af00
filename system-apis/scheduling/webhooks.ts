// Allocation webhooks from the scheduling platform (task.created / task.updated /
// task.deleted), checked and turned into canonical assignment changes. Signature checking
// and de-duplication happen before this, in core/inbox; this only reads the payload.
import { ProblemError } from '../../core/problems.js';
import type { DbExecutor } from '../../core/store/index.js';
import type { Assignment } from './canonical.js';
import { taskChangeKey, taskDeletionKey } from './changes.js';
import { schedulingIds } from './ids.js';
import type { FloatTask, FloatTaskWebhook } from './vendor-types.js';

export interface AssignmentChange {
  change: 'created' | 'updated' | 'cancelled';
  /** When the platform sent it (RFC 3339). */
  occurredAt: string;
  assignment: Assignment;
  /** The same key the change feed gives this change when it reads it from the platform's list. */
  changeKey: string;
}

const EVENTS = new Set(['task.created', 'task.updated', 'task.deleted']);

function invalid(detail: string): ProblemError {
  return new ProblemError('unprocessable-content', { detail: `Not a scheduling allocation webhook: ${detail}` });
}

/** The payload as the platform sends it, or a 422 problem naming what is wrong. */
export function parseTaskWebhook(payload: unknown): FloatTaskWebhook {
  if (typeof payload !== 'object' || payload === null) throw invalid('not an object');
  const p = payload as Record<string, unknown>;
  if (typeof p.event !== 'string' || !EVENTS.has(p.event)) throw invalid(`unknown event ${JSON.stringify(p.event)}`);
  if (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp))) throw invalid('timestamp missing');
  const d = p.data as Partial<FloatTask> | undefined;
  if (
    !d ||
    typeof d.task_id !== 'number' ||
    typeof d.people_id !== 'number' ||
    typeof d.project_id !== 'number' ||
    typeof d.hours !== 'number' ||
    typeof d.start_date !== 'string' ||
    typeof d.end_date !== 'string' ||
    typeof d.status !== 'number' ||
    typeof d.modified !== 'string'
  ) {
    throw invalid('data is not an allocation');
  }
  return payload as FloatTaskWebhook;
}

export function changeOf(event: FloatTaskWebhook['event']): AssignmentChange['change'] {
  return event === 'task.created' ? 'created' : event === 'task.updated' ? 'updated' : 'cancelled';
}

/** The change's key: its allocation's state (or its deletion), as the change feed keys it too. */
export function webhookChangeKey(hook: FloatTaskWebhook): string {
  return hook.event === 'task.deleted' ? taskDeletionKey(hook.data.task_id) : taskChangeKey(hook.data);
}

/** An allocation change in canonical terms: which assignment, what happened to it, and its key. */
export interface AssignmentWebhook {
  assignmentId: string;
  change: AssignmentChange['change'];
  changeKey: string;
}

/**
 * Reads a verified allocation webhook as a canonical change. The task's canonical id is linked
 * through `db` (the inbox's transaction), so that no platform call happens inside it.
 */
export async function readAssignmentWebhook(db: DbExecutor, payload: unknown): Promise<AssignmentWebhook> {
  const hook = parseTaskWebhook(payload);
  return {
    assignmentId: await schedulingIds(db).canonical('assignment', hook.data.task_id),
    change: changeOf(hook.event),
    changeKey: webhookChangeKey(hook),
  };
}
