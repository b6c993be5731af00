// The scheduling system API's own tables (migrations 0120, 0121): staffing requests as made
// (with the requester's reference, unique where set), and cancelled assignments as they last were.
import type { ColumnType } from 'kysely';
import { fromJson, isUniqueViolation, nowMs, toJson, type DbExecutor } from '../../core/store/index.js';
import type { Assignment } from './canonical.js';

export interface StaffingRequestsTable {
  id: string;
  engagement_id: string;
  role: string;
  start_date: string;
  end_date: string;
  effort_minutes: number;
  skills: string;
  notes: string | null;
  /** The placeholder allocation's id on the platform. */
  task_id: string;
  /** The requester's reference: one request per reference (unique index). */
  external_reference: string | null;
  created_at: ColumnType<number, number, never>;
}

export interface CancelledAssignmentsTable {
  id: string;
  body: string;
  cancelled_at: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    scheduling_staffing_requests: StaffingRequestsTable;
    scheduling_cancelled_assignments: CancelledAssignmentsTable;
  }
}

export interface StaffingRequestRecord {
  id: string;
  engagementId: string;
  role: string;
  startDate: string;
  endDate: string;
  effortMinutes: number;
  skills: string[];
  notes: string | null;
  taskId: number;
  externalReference: string | null;
  createdAt: number;
}

export async function saveStaffingRequest(db: DbExecutor, r: StaffingRequestRecord): Promise<void> {
  await db
    .insertInto('scheduling_staffing_requests')
    .values({
      id: r.id,
      engagement_id: r.engagementId,
      role: r.role,
      start_date: r.startDate,
      end_date: r.endDate,
      effort_minutes: r.effortMinutes,
      skills: toJson(r.skills),
      notes: r.notes,
      task_id: String(r.taskId),
      external_reference: r.externalReference,
      created_at: r.createdAt,
    })
    .execute();
}

/** Staffing requests after `afterId` (UUIDv7 ids sort by creation), optionally of one engagement. */
export async function listStaffingRequestRecords(
  db: DbExecutor,
  q: { afterId?: string; engagementId?: string; limit: number },
): Promise<StaffingRequestRecord[]> {
  let query = db.selectFrom('scheduling_staffing_requests').select('id').orderBy('id').limit(q.limit);
  if (q.afterId) query = query.where('id', '>', q.afterId);
  if (q.engagementId) query = query.where('engagement_id', '=', q.engagementId);
  const ids = await query.execute();
  const records = await Promise.all(ids.map((r) => findStaffingRequest(db, r.id)));
  return records.filter((r): r is StaffingRequestRecord => r !== undefined);
}

export async function findStaffingRequest(db: DbExecutor, id: string): Promise<StaffingRequestRecord | undefined> {
  const row = await db.selectFrom('scheduling_staffing_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    engagementId: row.engagement_id,
    role: row.role,
    startDate: row.start_date,
    endDate: row.end_date,
    effortMinutes: Number(row.effort_minutes),
    skills: fromJson<string[]>(row.skills) ?? [],
    notes: row.notes,
    taskId: Number(row.task_id),
    externalReference: row.external_reference ?? null,
    createdAt: Number(row.created_at),
  };
}

/** The staffing request made under a requester's reference, if any. */
export async function findStaffingRequestByReference(db: DbExecutor, reference: string): Promise<StaffingRequestRecord | undefined> {
  const row = await db
    .selectFrom('scheduling_staffing_requests')
    .select('id')
    .where('external_reference', '=', reference)
    .executeTakeFirst();
  return row ? findStaffingRequest(db, row.id) : undefined;
}

export async function saveCancelledAssignment(db: DbExecutor, assignment: Assignment): Promise<void> {
  try {
    await db
      .insertInto('scheduling_cancelled_assignments')
      .values({ id: assignment.id, body: toJson(assignment), cancelled_at: nowMs() })
      .execute();
  } catch (err) {
    // Cancelled twice (a retry): the first record stands.
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function findCancelledAssignment(db: DbExecutor, id: string): Promise<Assignment | undefined> {
  const row = await db.selectFrom('scheduling_cancelled_assignments').select('body').where('id', '=', id).executeTakeFirst();
  return row ? (fromJson<Assignment>(row.body) ?? undefined) : undefined;
}
