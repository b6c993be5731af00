// Staffing requests on a platform that has none: the layer keeps the request and seats it
// as a tentative allocation on a placeholder person for the role. Open while on the
// placeholder, filled once moved to a real person, cancelled once the allocation is removed.
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import { nowMs, toIso, type Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import type { Assignment, StaffingRequest, StaffingRequestInput } from './canonical.js';
import type { SchedulingConnector } from './connector.js';
import type { SchedulingIds } from './ids.js';
import { placeholderForRole, roleLabel, staffingRequestStatus, staffingRequestToTaskInput } from './mapping.js';
import { findStaffingRequest, listStaffingRequestRecords, saveStaffingRequest, type StaffingRequestRecord } from './records.js';
import { clampLimit, decodeCursor, encodeCursor } from '../kit/index.js';
import type { FloatPerson, FloatTask } from './vendor-types.js';

interface Deps {
  connector: SchedulingConnector;
  store: Store;
  ids: SchedulingIds;
  logger?: Logger;
  person(id: number): Promise<FloatPerson | undefined>;
  peopleById(): Promise<Map<number, FloatPerson>>;
  toAssignment(task: FloatTask): Promise<Assignment>;
}

function notFound(id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No staffing request ${id}.` });
}

const instant = (ms: number) => toIso(ms).replace(/\.\d{3}Z$/, 'Z');

export function createStaffingRequests(deps: Deps) {
  const { connector, ids } = deps;

  function toCanonical(r: StaffingRequestRecord, status: StaffingRequest['status']): StaffingRequest {
    const out: StaffingRequest = {
      id: r.id, engagementId: r.engagementId, role: r.role, startDate: r.startDate, endDate: r.endDate,
      effortMinutes: r.effortMinutes, status, createdAt: instant(r.createdAt),
    };
    if (r.skills.length) out.skills = r.skills;
    if (r.notes) out.notes = r.notes;
    return out;
  }

  async function load(id: string): Promise<{ record: StaffingRequestRecord; task: FloatTask | undefined; seat: FloatPerson | undefined }> {
    const record = await findStaffingRequest(deps.store.db, id);
    if (!record) throw notFound(id);
    const task = await connector.getTask(record.taskId);
    const seat = task ? await deps.person(task.people_id) : undefined;
    return { record, task, seat };
  }

  /** One placeholder per role, reused by every request for it. */
  async function placeholderFor(role: string): Promise<number> {
    const title = roleLabel(role);
    const existing = [...(await deps.peopleById()).values()].find((p) => p.people_type_id === 3 && p.job_title === title && p.active === 1);
    if (existing) return existing.people_id;
    const created = await connector.createPerson(placeholderForRole(role));
    (await deps.peopleById()).set(created.people_id, created); // the next request for the role finds it
    return created.people_id;
  }

  return {
    async createStaffingRequest(input: StaffingRequestInput): Promise<StaffingRequest> {
      const projectId = await ids.native('engagement', input.engagementId);
      if (projectId === undefined) {
        throw new ProblemError('not-found', { detail: `No project for engagement ${input.engagementId} on the scheduling platform; PUT /projects/${input.engagementId} first.` });
      }
      const body = staffingRequestToTaskInput(input, { placeholderId: 0, projectId });
      const placeholderId = await placeholderFor(input.role);
      const task = await connector.createTask({ ...body, people_id: placeholderId });
      const record: StaffingRequestRecord = {
        id: newId(), engagementId: input.engagementId, role: input.role, startDate: input.startDate, endDate: input.endDate,
        effortMinutes: input.effortMinutes, skills: input.skills ?? [], notes: input.notes ?? null, taskId: task.task_id, createdAt: nowMs(),
      };
      await deps.store.db.transaction().execute(async (trx) => {
        await saveStaffingRequest(trx, record);
        await ids.link('staffing-request', record.id, task.task_id, trx);
      });
      deps.logger?.info({ staffingRequestId: record.id, taskId: task.task_id }, 'staffing request seated on a placeholder');
      return toCanonical(record, 'open');
    },

    async listStaffingRequests(query: { cursor?: string; limit?: number | string; engagementId?: string } = {}): Promise<{ items: StaffingRequest[]; nextCursor: string | null }> {
      // Every status is a live read of the platform, so pages stay small.
      const limit = clampLimit(query.limit, 50, 20);
      const after = query.cursor ? decodeCursor<{ after: string; e?: string }>(query.cursor, (v) => typeof v.after === 'string').after : undefined;
      const records = await listStaffingRequestRecords(deps.store.db, { afterId: after, engagementId: query.engagementId, limit: limit + 1 });
      const page = records.slice(0, limit);
      const items = await Promise.all(page.map(async (r) => {
        const task = await connector.getTask(r.taskId);
        const seat = task ? await deps.person(task.people_id) : undefined;
        return toCanonical(r, staffingRequestStatus(task ?? null, seat ?? null));
      }));
      return { items, nextCursor: records.length > limit ? encodeCursor({ after: page[page.length - 1].id }) : null };
    },

    async getStaffingRequest(id: string): Promise<StaffingRequest> {
      const { record, task, seat } = await load(id);
      return toCanonical(record, staffingRequestStatus(task ?? null, seat ?? null));
    },

    async cancelStaffingRequest(id: string): Promise<StaffingRequest> {
      const { record, task, seat } = await load(id);
      const status = staffingRequestStatus(task ?? null, seat ?? null);
      if (status === 'filled') throw new ProblemError('conflict', { detail: `Staffing request ${id} is filled; cancel its assignment instead.` });
      if (status === 'open') await connector.deleteTask(record.taskId);
      return toCanonical(record, 'cancelled');
    },

    async assignStaffingRequest(id: string, resourceId: string): Promise<Assignment> {
      const { record, task, seat } = await load(id);
      if (!task) throw new ProblemError('conflict', { detail: `Staffing request ${id} is cancelled.` });
      const peopleId = await ids.native('resource', resourceId);
      const who = peopleId === undefined ? undefined : await deps.person(peopleId);
      if (peopleId === undefined || !who || who.people_type_id === 3) throw new ProblemError('not-found', { detail: `No resource ${resourceId} on the scheduling platform.` });
      if (seat && seat.people_type_id !== 3) {
        // Already filled: the same resource again is a harmless repeat; another one is a conflict.
        if (seat.people_id === peopleId) return deps.toAssignment(task);
        throw new ProblemError('conflict', { detail: `Staffing request ${id} is already filled by another resource.` });
      }
      const moved = await connector.updateTask(record.taskId, { people_id: peopleId, status: 2 });
      return deps.toAssignment(moved);
    },
  };
}
