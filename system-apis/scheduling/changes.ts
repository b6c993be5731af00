// Assignment changes read from the scheduling platform itself, which publishes no webhooks:
// allocations modified since a watermark (Float's `modified_since`, to the second, with the
// change keys already taken at that second as tie-breaker), and allocations the layer has seen
// that the list no longer holds (deleted), found by comparing the list with the snapshots.
import { createHash } from 'node:crypto';
import type { DbExecutor } from '../../core/store/index.js';
import type { Assignment } from './canonical.js';
import type { SchedulingConnector } from './connector.js';
import { floatTimestampToIso } from './mapping.js';
import { saveCancelledAssignment } from './records.js';
import { listTaskSnapshots, markTasksGone, purgeGoneTasks, saveTaskSnapshot } from './snapshots.js';
import type { FloatPerson, FloatTask } from './vendor-types.js';

/** Where the assignment change feed stands; stored by the caller as it is (JSON). */
export interface AssignmentFeedPosition {
  /** Float's `modified` watermark, "YYYY-MM-DD HH:MM:SS" (UTC). */
  modifiedSince: string;
  /** Change keys already taken at exactly the watermark: Float's stamps are to the second. */
  seen: string[];
  /** When the list was last compared with the allocations seen (epoch ms). */
  deletionsCheckedAtMs: number;
}

/** One assignment change in canonical terms, keyed so that a webhook for the same change has the same key. */
export interface PolledAssignmentChange {
  assignmentId: string;
  change: 'created' | 'updated' | 'cancelled';
  changeKey: string;
  occurredAtMs: number;
}

export interface AssignmentChangePage {
  changes: PolledAssignmentChange[];
  next: AssignmentFeedPosition;
  /** More changes wait after `next`. */
  more: boolean;
}

export interface AssignmentFeedOptions {
  /** Changes per page at most (one inbox transaction). Default 1,000: each pull reads every changed allocation anyway. */
  limit?: number;
  /** How often the list is compared with the allocations seen; 0 = every pass that reaches the end. */
  deletionCheckEveryMs?: number;
  now?: () => number;
}

/** Gone allocations are forgotten after this long: by then their deletion is recorded. */
const FORGET_GONE_AFTER_MS = 24 * 3_600_000;

/** Float's stamp of an allocation's last change (`modified`, or `created` when never modified). */
export function taskStamp(task: FloatTask): string {
  // Float answers a fresh allocation with `modified: null` (its tutorial shows it); the type says string.
  return task.modified || task.created;
}

/** Float's "YYYY-MM-DD HH:MM:SS" for an instant, to the second. */
export function floatStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The key of one state of an allocation: its id, its stamp and what the forecast reads from it.
 * Two changes within the same second differ in content, so they keep distinct keys; a webhook
 * and the poll that see the same state compute the same key.
 */
export function taskChangeKey(task: FloatTask): string {
  const content = JSON.stringify([task.people_id, task.project_id, task.start_date, task.end_date, task.hours, task.status, task.name]);
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `task-${task.task_id}@${taskStamp(task)}#${digest}`;
}

/** An allocation is deleted once: its deletion's key needs nothing but its id. */
export function taskDeletionKey(taskId: number): string {
  return `task-${taskId}@deleted`;
}

export interface FeedDeps {
  connector: SchedulingConnector;
  db: DbExecutor;
  person(id: number): Promise<FloatPerson | undefined>;
  canonicalAssignment(taskId: number): Promise<string>;
  isStaffingRequest(taskId: number): Promise<boolean>;
  toAssignment(task: FloatTask): Promise<Assignment>;
}

export function startPosition(now: number): AssignmentFeedPosition {
  return { modifiedSince: floatStamp(now), seen: [], deletionsCheckedAtMs: 0 };
}

const byStampThenId = (a: { stamp: string; task: FloatTask }, b: { stamp: string; task: FloatTask }) =>
  a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.task.task_id - b.task.task_id;

export async function pullAssignmentChanges(
  deps: FeedDeps,
  from: AssignmentFeedPosition,
  opts: AssignmentFeedOptions = {},
): Promise<AssignmentChangePage> {
  const limit = opts.limit ?? 1_000;
  const now = (opts.now ?? Date.now)();
  // Float lists in id order, not by time: read every allocation changed since the watermark, then order them.
  const listed = await deps.connector.allTasks({ modifiedSince: from.modifiedSince });
  const seen = new Set(from.seen);
  const fresh = listed
    .map((task) => ({ task, stamp: taskStamp(task), key: taskChangeKey(task) }))
    .filter((c) => c.stamp > from.modifiedSince || (c.stamp === from.modifiedSince && !seen.has(c.key)))
    .sort(byStampThenId);
  const page = fresh.slice(0, limit);
  const more = fresh.length > page.length;
  const last = page.at(-1);
  const modifiedSince = last ? last.stamp : from.modifiedSince;
  const next: AssignmentFeedPosition = {
    modifiedSince,
    seen: [...(modifiedSince === from.modifiedSince ? from.seen : []), ...page.filter((c) => c.stamp === modifiedSince).map((c) => c.key)],
    deletionsCheckedAtMs: from.deletionsCheckedAtMs,
  };
  const changes: PolledAssignmentChange[] = [];
  for (const c of page) {
    // Allocations on placeholders are staffing requests, not assignments.
    if ((await deps.person(c.task.people_id))?.people_type_id === 3) continue;
    await saveTaskSnapshot(deps.db, c.task, c.stamp);
    changes.push({
      assignmentId: await deps.canonicalAssignment(c.task.task_id),
      change: c.task.created === c.task.modified ? 'created' : 'updated',
      changeKey: c.key,
      occurredAtMs: Date.parse(floatTimestampToIso(c.stamp)),
    });
  }
  const due = now - from.deletionsCheckedAtMs >= (opts.deletionCheckEveryMs ?? 600_000);
  if (!more && due) {
    changes.push(...(await deletedSinceLastLook(deps, now)));
    next.deletionsCheckedAtMs = now;
  }
  return { changes, next, more };
}

/**
 * Allocations seen before and missing from the whole list now: each is reported cancelled with
 * the state it last had. Reported on every check until forgotten; the inbox takes each key once.
 */
async function deletedSinceLastLook(deps: FeedDeps, now: number): Promise<PolledAssignmentChange[]> {
  const listed = await deps.connector.allTasks();
  const onPlatform = new Set(listed.map((t) => t.task_id));
  const snapshots = await listTaskSnapshots(deps.db);
  // Allocations that have not changed since the layer first looked are known from here on.
  const known = new Set(snapshots.map((s) => s.task.task_id));
  for (const task of listed) if (!known.has(task.task_id)) await saveTaskSnapshot(deps.db, task, taskStamp(task));
  const gone = snapshots.filter((s) => !onPlatform.has(s.task.task_id));
  await markTasksGone(
    deps.db,
    gone.map((s) => s.task.task_id),
    now,
  );
  const changes: PolledAssignmentChange[] = [];
  for (const s of gone) {
    if ((await deps.isStaffingRequest(s.task.task_id)) || (await deps.person(s.task.people_id))?.people_type_id === 3) continue;
    const cancelled: Assignment = { ...(await deps.toAssignment(s.task)), status: 'cancelled' };
    // The first record stands when the webhook path (or an earlier check) recorded it already.
    await saveCancelledAssignment(deps.db, cancelled);
    changes.push({
      assignmentId: cancelled.id,
      change: 'cancelled',
      changeKey: taskDeletionKey(s.task.task_id),
      occurredAtMs: s.goneAtMs ?? now,
    });
  }
  await purgeGoneTasks(deps.db, FORGET_GONE_AFTER_MS, now);
  return changes;
}
