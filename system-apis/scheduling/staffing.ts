// Staffing requests on a platform that has none: the layer keeps the request and seats it
// as a tentative allocation on a placeholder person for the role. Open while on the
// placeholder, filled once moved to a real person, cancelled once the allocation is removed.
// A request made under a reference exists once: see createStaffingRequest.
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import { isUniqueViolation, nowMs, toIso, type Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import type { Assignment, StaffingRequest, StaffingRequestInput } from './canonical.js';
import type { SchedulingConnector } from './connector.js';
import type { SchedulingIds } from './ids.js';
import {
  floatTimestampToIso,
  placeholderForRole,
  roleLabel,
  staffingRequestReference,
  staffingRequestStatus,
  staffingRequestToTaskInput,
} from './mapping.js';
import {
  findStaffingRequest,
  findStaffingRequestByReference,
  listStaffingRequestRecords,
  saveStaffingRequest,
  type StaffingRequestRecord,
} from './records.js';
import {
  cursorId,
  cursorKind,
  decodeOptionalCursor,
  encodeCursor,
  pageLimit,
  scopeOf,
  type Page,
  type PageSize,
} from '../../core/paging.js';
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

/** Every status is a live read of the platform, so pages stay small (the contract's own `limit`). */
export const STAFFING_REQUEST_PAGE_SIZE: PageSize = { max: 50, default: 20 };
export const STAFFING_REQUEST_CURSOR = cursorKind('scheduling.staffing-requests', { after: cursorId });

function notFound(id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No staffing request ${id}.` });
}

const instant = (ms: number) => toIso(ms).replace(/\.\d{3}Z$/, 'Z');

export function createStaffingRequests(deps: Deps) {
  const { connector, ids } = deps;

  function toCanonical(r: StaffingRequestRecord, status: StaffingRequest['status']): StaffingRequest {
    const out: StaffingRequest = {
      id: r.id,
      engagementId: r.engagementId,
      role: r.role,
      startDate: r.startDate,
      endDate: r.endDate,
      effortMinutes: r.effortMinutes,
      status,
      createdAt: instant(r.createdAt),
    };
    if (r.skills.length) out.skills = r.skills;
    if (r.notes) out.notes = r.notes;
    if (r.externalReference) out.externalReference = r.externalReference;
    return out;
  }

  async function liveStatus(task: FloatTask | undefined): Promise<StaffingRequest['status']> {
    const seat = task ? await deps.person(task.people_id) : undefined;
    return staffingRequestStatus(task ?? null, seat ?? null);
  }

  /** The request already made under the input's reference, as it is now; other terms under it are a conflict. */
  async function alreadyRequested(record: StaffingRequestRecord, input: StaffingRequestInput): Promise<StaffingRequest> {
    const same =
      record.engagementId === input.engagementId &&
      record.role === input.role &&
      record.startDate === input.startDate &&
      record.endDate === input.endDate &&
      record.effortMinutes === input.effortMinutes &&
      [...record.skills].sort().join(',') === [...(input.skills ?? [])].sort().join(',') &&
      (record.notes ?? '') === (input.notes ?? '');
    if (!same) {
      throw new ProblemError('conflict', {
        detail: `Staffing request ${record.id} was made under reference ${record.externalReference} with other terms; use another reference for another request.`,
        errors: [{ pointer: '/externalReference', detail: 'already used for other terms' }],
      });
    }
    return toCanonical(record, await liveStatus(await connector.getTask(record.taskId)));
  }

  /** Removes an allocation still on its placeholder; one a scheduler has given a person stays. */
  async function removeIfOpen(task: FloatTask): Promise<void> {
    if ((await deps.person(task.people_id))?.people_type_id === 3) await connector.deleteTask(task.task_id);
  }

  /** Allocations of the project seated under the reference, oldest first: what an unrecorded create left. */
  async function seatedUnder(projectId: number, reference: string): Promise<FloatTask[]> {
    const tasks = await connector.allTasks({ projectId });
    return tasks.filter((t) => staffingRequestReference(t.notes) === reference).sort((a, b) => a.task_id - b.task_id);
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
    /**
     * Seats a staffing request. Under an `externalReference` at most one request exists: the
     * layer's record of it answers a repeat; without one (the platform took the create but its
     * answer was lost, or the process died before recording it) the allocation tagged with the
     * reference on the engagement's project is adopted; only then is one created. Racers with
     * one reference converge: the unique reference decides whose record stands, and a loser
     * removes the allocation it seated. `created` is false when the request already existed.
     */
    async createStaffingRequest(input: StaffingRequestInput): Promise<{ request: StaffingRequest; created: boolean }> {
      const reference = input.externalReference;
      if (reference !== undefined) {
        const known = await findStaffingRequestByReference(deps.store.db, reference);
        if (known) return { request: await alreadyRequested(known, input), created: false };
      }
      const projectId = await ids.native('engagement', input.engagementId);
      if (projectId === undefined) {
        throw new ProblemError('not-found', {
          detail: `No project for engagement ${input.engagementId} on the scheduling platform; PUT /projects/${input.engagementId} first.`,
        });
      }
      const body = staffingRequestToTaskInput(input, { placeholderId: 0, projectId });
      const seated = reference === undefined ? [] : await seatedUnder(projectId, reference);
      const adopted = seated[0];
      const task = adopted ?? (await connector.createTask({ ...body, people_id: await placeholderFor(input.role) }));
      const record: StaffingRequestRecord = {
        id: newId(),
        engagementId: input.engagementId,
        role: input.role,
        startDate: input.startDate,
        endDate: input.endDate,
        effortMinutes: input.effortMinutes,
        skills: input.skills ?? [],
        notes: input.notes ?? null,
        taskId: task.task_id,
        externalReference: reference ?? null,
        createdAt: adopted ? Date.parse(floatTimestampToIso(adopted.created)) : nowMs(),
      };
      try {
        await deps.store.db.transaction().execute(async (trx) => {
          await saveStaffingRequest(trx, record);
          await ids.link('staffing-request', record.id, task.task_id, trx);
        });
      } catch (err) {
        if (reference === undefined || !isUniqueViolation(err)) throw err;
        // Another caller recorded a request under this reference first: theirs stands.
        const winner = await findStaffingRequestByReference(deps.store.db, reference);
        if (!winner) throw err;
        if (winner.taskId !== task.task_id) await removeIfOpen(task);
        return { request: await alreadyRequested(winner, input), created: false };
      }
      // The reference is recorded as ours: other allocations tagged with it (left by creates that
      // were never recorded) can no longer become a request. Those still open are removed.
      for (const extra of seated.slice(1)) await removeIfOpen(extra);
      if (adopted) {
        deps.logger?.warn(
          { staffingRequestId: record.id, taskId: task.task_id, reference },
          'staffing request found on the platform under its reference and recorded',
        );
        return { request: toCanonical(record, await liveStatus(adopted)), created: false };
      }
      deps.logger?.info({ staffingRequestId: record.id, taskId: task.task_id }, 'staffing request seated on a placeholder');
      return { request: toCanonical(record, 'open'), created: true };
    },

    async listStaffingRequests(
      query: { cursor?: string; limit?: number | string; engagementId?: string } = {},
    ): Promise<Page<StaffingRequest>> {
      const limit = pageLimit(query.limit, STAFFING_REQUEST_PAGE_SIZE);
      const scope = scopeOf({ engagementId: query.engagementId });
      const after = decodeOptionalCursor(STAFFING_REQUEST_CURSOR, query.cursor, scope)?.after;
      const records = await listStaffingRequestRecords(deps.store.db, {
        afterId: after,
        engagementId: query.engagementId,
        limit: limit + 1,
      });
      const page = records.slice(0, limit);
      const items = await Promise.all(page.map(async (r) => toCanonical(r, await liveStatus(await connector.getTask(r.taskId)))));
      return {
        items,
        nextCursor: records.length > limit ? encodeCursor(STAFFING_REQUEST_CURSOR, { after: page[page.length - 1].id }, scope) : null,
      };
    },

    async getStaffingRequest(id: string): Promise<StaffingRequest> {
      const { record, task, seat } = await load(id);
      return toCanonical(record, staffingRequestStatus(task ?? null, seat ?? null));
    },

    async cancelStaffingRequest(id: string): Promise<StaffingRequest> {
      const { record, task, seat } = await load(id);
      const status = staffingRequestStatus(task ?? null, seat ?? null);
      if (status === 'filled')
        throw new ProblemError('conflict', { detail: `Staffing request ${id} is filled; cancel its assignment instead.` });
      if (status === 'open') await connector.deleteTask(record.taskId);
      return toCanonical(record, 'cancelled');
    },

    async assignStaffingRequest(id: string, resourceId: string): Promise<Assignment> {
      const { record, task, seat } = await load(id);
      if (!task) throw new ProblemError('conflict', { detail: `Staffing request ${id} is cancelled.` });
      const peopleId = await ids.native('resource', resourceId);
      const who = peopleId === undefined ? undefined : await deps.person(peopleId);
      if (peopleId === undefined || !who || who.people_type_id === 3)
        throw new ProblemError('not-found', { detail: `No resource ${resourceId} on the scheduling platform.` });
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
