// The scheduling system API as a typed in-process API: resources, projects and assignments
// in canonical form (staffing requests in staffing.ts). Vendor calls go through the
// connector; ids through the cross-reference store. Routes and process APIs call this.
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import { nextNumberedCursor, numberedCursorKind, numberedPageOf } from '../../core/paging.js';
import type { components } from '../../generated/openapi/system/scheduling.v1.js';
import type {
  Assignment,
  AssignmentInput,
  AssignmentUpdate,
  Resource,
  SchedulingProject,
  SchedulingProjectInput,
  StaffingRequest,
  StaffingRequestInput,
} from './canonical.js';
import type { SchedulingConnector } from './connector.js';
import { recordLinksOf, type RecordLink } from '../kit/record-links.js';
import { schedulingIds, type SchedulingEntity } from './ids.js';
import {
  assignmentToTaskInput,
  assignmentUpdateToTaskPatch,
  floatProjectToProject,
  personToResource,
  projectToFloatInput,
  taskToAssignment,
} from './mapping.js';
import { findCancelledAssignment, saveCancelledAssignment } from './records.js';
import { createStaffingRequests } from './staffing.js';
import { changeOf, parseTaskWebhook, webhookChangeKey, type AssignmentChange } from './webhooks.js';
import {
  pullAssignmentChanges,
  startPosition,
  type AssignmentChangePage,
  type AssignmentFeedOptions,
  type AssignmentFeedPosition,
} from './changes.js';
import type { BudgetSnapshot, RequestKind } from './rate-budgets.js';
import type { FloatPerson, FloatTask } from './vendor-types.js';

export type ResourcePage = components['schemas']['ResourcePage'];
export type AssignmentPage = components['schemas']['AssignmentPage'];
export type StaffingRequestPage = components['schemas']['StaffingRequestPage'];

export interface PageQuery {
  cursor?: string;
  limit?: number | string;
}
export interface ResourceQuery extends PageQuery {
  status?: 'active' | 'inactive';
}
export interface StaffingRequestQuery extends PageQuery {
  engagementId?: string;
}
export interface AssignmentQuery extends PageQuery {
  engagementId?: string;
  resourceId?: string;
  from?: string;
  to?: string;
}

export interface SchedulingSystemApi {
  listResources(query?: ResourceQuery): Promise<ResourcePage>;
  getResource(resourceId: string): Promise<Resource>;
  getProject(engagementId: string): Promise<SchedulingProject>;
  /** Creates the platform project for the engagement, or updates it. */
  putProject(engagementId: string, input: SchedulingProjectInput): Promise<{ project: SchedulingProject; created: boolean }>;
  listAssignments(query?: AssignmentQuery): Promise<AssignmentPage>;
  getAssignment(assignmentId: string): Promise<Assignment>;
  createAssignment(input: AssignmentInput): Promise<Assignment>;
  updateAssignment(assignmentId: string, update: AssignmentUpdate): Promise<Assignment>;
  listStaffingRequests(query?: StaffingRequestQuery): Promise<StaffingRequestPage>;
  /**
   * Seats a staffing request; under an `externalReference` at most once (a repeat answers the
   * request already made, `created: false`; other terms under the same reference are a 409).
   */
  createStaffingRequest(input: StaffingRequestInput): Promise<{ request: StaffingRequest; created: boolean }>;
  getStaffingRequest(staffingRequestId: string): Promise<StaffingRequest>;
  cancelStaffingRequest(staffingRequestId: string): Promise<StaffingRequest>;
  assignStaffingRequest(staffingRequestId: string, resourceId: string): Promise<Assignment>;
  /**
   * The canonical change carried by an allocation webhook (already verified by core/inbox).
   * Undefined for allocations on placeholders: those are staffing requests, not assignments.
   */
  assignmentChangeFromWebhook(payload: unknown): Promise<AssignmentChange | undefined>;
  /** Where a new assignment change feed starts: changes from now on. */
  assignmentFeedStart(): AssignmentFeedPosition;
  /**
   * Assignment changes after `from`, read from the platform (which sends no webhooks): modified
   * allocations, and from time to time the deleted ones. Each carries the key a webhook for the
   * same change would carry.
   */
  assignmentChangesSince(from: AssignmentFeedPosition, options?: AssignmentFeedOptions): Promise<AssignmentChangePage>;
  /** What is left of the platform's read and write budgets in the current window. */
  rateBudget(): Record<RequestKind, BudgetSnapshot>;
  /**
   * Float ids of canonical records, read in bulk; ids the platform never had are left out. No URL:
   * Float's documentation gives no page per person, project or allocation to link to.
   */
  recordLinks(entity: SchedulingEntity, canonicalIds: readonly string[]): Promise<Map<string, RecordLink>>;
}

export interface SchedulingSystemApiDeps {
  connector: SchedulingConnector;
  store: Store;
  logger?: Logger;
  /** The platform account's currency (Float holds every rate and budget in one). Default EUR. */
  currency?: string;
}

const PEOPLE_CACHE_MS = 30_000;

export function notFound(what: string, id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No ${what} ${id} on the scheduling platform.` });
}

/** Float pages by number at a fixed page size: each collection's cursor carries both, bound to its filters. */
export const SCHEDULING_CURSORS = {
  resources: numberedCursorKind('scheduling.resources'),
  assignments: numberedCursorKind('scheduling.assignments'),
} as const;

export function createSchedulingSystemApi(deps: SchedulingSystemApiDeps): SchedulingSystemApi {
  const { connector } = deps;
  const currency = deps.currency ?? 'EUR';
  const ids = schedulingIds(deps.store.db);
  let people: { at: number; byId: Map<number, FloatPerson> } | undefined;

  /** Everyone on the platform, cached briefly: allocations need to know who is a placeholder. */
  async function peopleById(): Promise<Map<number, FloatPerson>> {
    if (!people || Date.now() - people.at > PEOPLE_CACHE_MS) {
      people = { at: Date.now(), byId: new Map((await connector.allPeople()).map((p) => [p.people_id, p])) };
    }
    return people.byId;
  }
  /** A person from the cache, else from the platform (then cached: people created since the last fill). */
  async function person(id: number): Promise<FloatPerson | undefined> {
    const byId = await peopleById();
    const known = byId.get(id);
    if (known) return known;
    const fetched = await connector.getPerson(id);
    if (fetched) byId.set(id, fetched);
    return fetched;
  }

  async function toAssignment(task: FloatTask): Promise<Assignment> {
    const [id, engagementId, resourceId, staffingRequestId, who] = await Promise.all([
      ids.canonical('assignment', task.task_id),
      ids.canonical('engagement', task.project_id),
      ids.canonical('resource', task.people_id),
      ids.existing('staffing-request', task.task_id),
      person(task.people_id),
    ]);
    return taskToAssignment(task, { id, engagementId, resourceId, staffingRequestId }, who?.job_title ?? null);
  }

  /** A page of allocations as assignments: their ids resolved in a few queries, not four per allocation. */
  async function toAssignments(tasks: FloatTask[]): Promise<Assignment[]> {
    if (tasks.length === 0) return [];
    const refs = (key: 'task_id' | 'project_id' | 'people_id') => tasks.map((t) => ({ nativeId: t[key] }));
    const [assignments, engagements, resources, staffing] = await Promise.all([
      ids.canonicalMany('assignment', refs('task_id')),
      ids.canonicalMany('engagement', refs('project_id')),
      ids.canonicalMany('resource', refs('people_id')),
      ids.existingMany(
        'staffing-request',
        tasks.map((t) => t.task_id),
      ),
    ]);
    return Promise.all(
      tasks.map(async (task) =>
        taskToAssignment(
          task,
          {
            id: assignments.get(String(task.task_id))!,
            engagementId: engagements.get(String(task.project_id))!,
            resourceId: resources.get(String(task.people_id))!,
            staffingRequestId: staffing.get(String(task.task_id)),
          },
          (await person(task.people_id))?.job_title ?? null,
        ),
      ),
    );
  }

  function nativeOrThrow(entity: 'resource' | 'engagement' | 'assignment', id: string, what: string): Promise<number> {
    return ids.require(entity, id, () => notFound(what, id));
  }

  const api: Omit<
    SchedulingSystemApi,
    'listStaffingRequests' | 'createStaffingRequest' | 'getStaffingRequest' | 'cancelStaffingRequest' | 'assignStaffingRequest'
  > = {
    async assignmentChangeFromWebhook(payload) {
      const hook = parseTaskWebhook(payload);
      const seat = await person(hook.data.people_id);
      // A deleted placeholder's person may be gone too; only a known placeholder is skipped.
      if (seat?.people_type_id === 3) return undefined;
      const current = await toAssignment(hook.data);
      const change = changeOf(hook.event);
      const changeKey = webhookChangeKey(hook);
      if (change !== 'cancelled') return { change, occurredAt: hook.timestamp, assignment: current, changeKey };
      const cancelled: Assignment = { ...current, status: 'cancelled' };
      await saveCancelledAssignment(deps.store.db, cancelled);
      return {
        change,
        occurredAt: hook.timestamp,
        assignment: (await findCancelledAssignment(deps.store.db, current.id)) ?? cancelled,
        changeKey,
      };
    },

    assignmentFeedStart: () => startPosition(Date.now()),

    assignmentChangesSince(from, options) {
      return pullAssignmentChanges(
        {
          connector,
          db: deps.store.db,
          person,
          canonicalAssignment: (taskId) => ids.canonical('assignment', taskId),
          isStaffingRequest: async (taskId) => (await ids.existing('staffing-request', taskId)) !== undefined,
          toAssignment,
        },
        from,
        options,
      );
    },

    rateBudget: () => connector.rateBudget(),
    recordLinks: (entity, canonicalIds) => recordLinksOf(ids, entity, canonicalIds, () => null),

    async listResources(query = {}) {
      const at = numberedPageOf(SCHEDULING_CURSORS.resources, query, { status: query.status });
      const active = query.status === undefined ? undefined : query.status === 'active' ? 1 : 0;
      const page = await connector.listPeople(at.page, at.limit, { active });
      // Placeholders are seats for staffing requests, not people: left out (the page may come back shorter).
      const items = await Promise.all(
        page.items
          .filter((p) => p.people_type_id !== 3)
          .map(async (p) => personToResource(p, await ids.canonical('resource', p.people_id))),
      );
      return { items, nextCursor: nextNumberedCursor(at, at.page < page.pageCount && page.items.length > 0) };
    },

    async getResource(resourceId) {
      const native = await nativeOrThrow('resource', resourceId, 'resource');
      const p = await connector.getPerson(native);
      if (!p || p.people_type_id === 3) throw notFound('resource', resourceId);
      return personToResource(p, resourceId);
    },

    async getProject(engagementId) {
      const native = await nativeOrThrow('engagement', engagementId, 'project for engagement');
      const project = await connector.getProject(native);
      if (!project) throw notFound('project for engagement', engagementId);
      return floatProjectToProject(project, engagementId, currency);
    },

    async putProject(engagementId, input) {
      const body = projectToFloatInput(input, currency);
      const native = await ids.native('engagement', engagementId);
      if (native !== undefined) {
        const updated = await connector.updateProject(native, body);
        return { project: floatProjectToProject(updated, engagementId, currency), created: false };
      }
      const created = await connector.createProject(body);
      await ids.link('engagement', engagementId, created.project_id);
      return { project: floatProjectToProject(created, engagementId, currency), created: true };
    },

    async listAssignments(query = {}) {
      const { engagementId, resourceId, from, to } = query;
      const at = numberedPageOf(SCHEDULING_CURSORS.assignments, query, { engagementId, resourceId, from, to });
      const projectId = query.engagementId ? await ids.native('engagement', query.engagementId) : undefined;
      const peopleId = query.resourceId ? await ids.native('resource', query.resourceId) : undefined;
      // A filter on a record the platform never had matches nothing.
      if ((query.engagementId && projectId === undefined) || (query.resourceId && peopleId === undefined))
        return { items: [], nextCursor: null };
      const page = await connector.listTasks(at.page, at.limit, { projectId, peopleId, startDate: query.from, endDate: query.to });
      const seats = await Promise.all(page.items.map((t) => person(t.people_id)));
      const booked = page.items.filter((_, i) => seats[i]?.people_type_id !== 3);
      return {
        items: await toAssignments(booked),
        nextCursor: nextNumberedCursor(at, at.page < page.pageCount && page.items.length > 0),
      };
    },

    async getAssignment(assignmentId) {
      const native = await nativeOrThrow('assignment', assignmentId, 'assignment');
      const task = await connector.getTask(native);
      if (task) return toAssignment(task);
      const cancelled = await findCancelledAssignment(deps.store.db, assignmentId);
      if (cancelled) return cancelled;
      throw notFound('assignment', assignmentId);
    },

    async createAssignment(input) {
      const projectId = await nativeOrThrow('engagement', input.engagementId, 'project for engagement');
      const peopleId = await nativeOrThrow('resource', input.resourceId, 'resource');
      const task = await connector.createTask(assignmentToTaskInput(input, { peopleId, projectId }));
      return toAssignment(task);
    },

    async updateAssignment(assignmentId, update) {
      const native = await nativeOrThrow('assignment', assignmentId, 'assignment');
      const cancelled = await findCancelledAssignment(deps.store.db, assignmentId);
      if (cancelled) {
        if (update.status === 'cancelled' && Object.keys(update).length === 1) return cancelled;
        throw new ProblemError('conflict', { detail: `Assignment ${assignmentId} is cancelled and can no longer change.` });
      }
      const task = await connector.getTask(native);
      if (!task) throw notFound('assignment', assignmentId);
      if (update.status === 'cancelled') {
        const last: Assignment = {
          ...(await toAssignment(task)),
          status: 'cancelled',
          updatedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        };
        await saveCancelledAssignment(deps.store.db, last);
        await connector.deleteTask(native);
        deps.logger?.info({ assignmentId, taskId: native }, 'assignment cancelled on the scheduling platform');
        return last;
      }
      return toAssignment(await connector.updateTask(native, assignmentUpdateToTaskPatch(update, task)));
    },
  };

  return {
    ...api,
    ...createStaffingRequests({ connector, store: deps.store, ids, logger: deps.logger, person, toAssignment, peopleById }),
  };
}
