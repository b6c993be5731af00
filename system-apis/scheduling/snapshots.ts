// The allocations the change feed has seen (migration 0122), kept so that one missing from the
// platform's list can be reported as cancelled with the state it last had.
import { fromJson, nowMs, toJson, type DbExecutor } from '../../core/store/index.js';
import type { FloatTask } from './vendor-types.js';

export interface TaskSnapshotsTable {
  task_id: string;
  body: string;
  modified: string;
  gone_at_ms: number | null;
}

declare module '../../core/store/schema.js' {
  interface Database {
    scheduling_task_snapshots: TaskSnapshotsTable;
  }
}

export interface TaskSnapshot {
  task: FloatTask;
  goneAtMs: number | null;
}

export async function listTaskSnapshots(db: DbExecutor): Promise<TaskSnapshot[]> {
  const rows = await db.selectFrom('scheduling_task_snapshots').select(['body', 'gone_at_ms']).execute();
  return rows.map((r) => ({
    task: fromJson<FloatTask>(r.body) as FloatTask,
    goneAtMs: r.gone_at_ms === null ? null : Number(r.gone_at_ms),
  }));
}

/** Keeps the allocation as seen now (a newer `modified` replaces an older one; a reappearing one is no longer gone). */
export async function saveTaskSnapshot(db: DbExecutor, task: FloatTask, modified: string): Promise<void> {
  await db
    .insertInto('scheduling_task_snapshots')
    .values({ task_id: String(task.task_id), body: toJson(task), modified, gone_at_ms: null })
    .onConflict((oc) =>
      oc
        .column('task_id')
        .doUpdateSet({ body: toJson(task), modified, gone_at_ms: null })
        .where('scheduling_task_snapshots.modified', '<=', modified),
    )
    .execute();
}

/** Marks allocations missing from the platform's list, once: the first time they were found gone stands. */
export async function markTasksGone(db: DbExecutor, taskIds: number[], at = nowMs()): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .updateTable('scheduling_task_snapshots')
    .set({ gone_at_ms: at })
    .where('task_id', 'in', taskIds.map(String))
    .where('gone_at_ms', 'is', null)
    .execute();
}

/** Forgets allocations gone for longer than `olderThanMs`: their deletion has long been recorded. */
export async function purgeGoneTasks(db: DbExecutor, olderThanMs: number, now = nowMs()): Promise<void> {
  await db
    .deleteFrom('scheduling_task_snapshots')
    .where('gone_at_ms', '<', now - olderThanMs)
    .execute();
}
