// The time system API as a typed in-process API: time entries, expenses and weekly approvals
// in canonical form. Vendor calls go through the connector; ids through the cross-reference
// store; the invoice line that billed each record through billing-refs.ts.
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { components } from '../../generated/openapi/system/time.v1.js';
import { nextNumberedCursor, numberedCursorKind, numberedPageOf, type NumberedPage } from '../../core/paging.js';
import { billingRefs, claimBillingRef, sameRef } from './billing-refs.js';
import type {
  Expense,
  ExpenseBilling,
  TimeEntry,
  TimeEntryBilling,
  TimeProject,
  TimeProjectInput,
  TimesheetApproval,
  TimesheetApprovalInput,
} from './canonical.js';
import type { TimeConnector, TimeEntryFilter } from './connector.js';
import { timeIds, type TimeIds } from './ids.js';
import {
  approvalStatusToHarvest,
  harvestApprovalToApproval,
  harvestEntryToTimeEntry,
  harvestExpenseToExpense,
  harvestProjectToProject,
  isRecordedWork,
  projectToHarvestInput,
  updatedSinceParam,
} from './mapping.js';
import type { HarvestExpense, HarvestTimeEntry } from './vendor-types.js';

export type TimeEntryPage = components['schemas']['TimeEntryPage'];
export type ExpensePage = components['schemas']['ExpensePage'];

export interface TimeQuery {
  cursor?: string;
  limit?: number | string;
  approvalStatus?: 'draft' | 'submitted' | 'approved';
  billingStatus?: 'unbilled' | 'billed';
  updatedSince?: string;
  engagementId?: string;
  resourceId?: string;
  from?: string;
  to?: string;
}

export interface TimeSystemApi {
  listTimeEntries(query?: TimeQuery): Promise<TimeEntryPage>;
  getTimeEntry(timeEntryId: string): Promise<TimeEntry>;
  /** Idempotent for the same invoice line; 409 for another one. */
  markTimeEntryBilled(timeEntryId: string, billing: TimeEntryBilling): Promise<TimeEntry>;
  listExpenses(query?: TimeQuery): Promise<ExpensePage>;
  getExpense(expenseId: string): Promise<Expense>;
  markExpenseBilled(expenseId: string, billing: ExpenseBilling): Promise<Expense>;
  recordTimesheetApproval(input: TimesheetApprovalInput): Promise<TimesheetApproval>;
  getProject(engagementId: string): Promise<TimeProject>;
  /** Creates the platform project (and client) for the engagement, or updates it. */
  putProject(engagementId: string, input: TimeProjectInput): Promise<{ project: TimeProject; created: boolean }>;
}

export interface TimeSystemApiDeps {
  connector: TimeConnector;
  store: Store;
  logger?: Logger;
}

function notFound(what: string, id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No ${what} ${id} on the time platform.` });
}

/** Harvest pages by number at a fixed page size: each collection's cursor carries both. */
export const TIME_CURSORS = {
  'time-entries': numberedCursorKind('time.time-entries'),
  expenses: numberedCursorKind('time.expenses'),
} as const;

function pageOf(query: TimeQuery, collection: keyof typeof TIME_CURSORS): NumberedPage {
  const { cursor: _cursor, limit: _limit, ...filters } = query;
  return numberedPageOf(TIME_CURSORS[collection], query, filters);
}

export function createTimeSystemApi(deps: TimeSystemApiDeps): TimeSystemApi {
  const { connector, store } = deps;

  /** Canonical query → Harvest filter; undefined when a filter names a record the platform never had. */
  async function harvestFilter(ids: TimeIds, query: TimeQuery): Promise<TimeEntryFilter | undefined> {
    const filter: TimeEntryFilter = {
      approvalStatus: query.approvalStatus ? approvalStatusToHarvest(query.approvalStatus) : undefined,
      isBilled: query.billingStatus ? query.billingStatus === 'billed' : undefined,
      updatedSince: updatedSinceParam(query.updatedSince),
      from: query.from,
      to: query.to,
    };
    if (query.engagementId) {
      filter.projectId = await ids.native('engagement', query.engagementId);
      if (filter.projectId === undefined) return undefined;
    }
    if (query.resourceId) {
      filter.userId = await ids.native('resource', query.resourceId);
      if (filter.userId === undefined) return undefined;
    }
    return filter;
  }

  async function refIds(ids: TimeIds, entity: 'time-entry' | 'expense', record: HarvestTimeEntry | HarvestExpense) {
    const [id, engagementId, resourceId] = await Promise.all([
      ids.canonical(entity, record.id),
      ids.canonical('engagement', record.project.id),
      ids.canonical('resource', record.user.id),
    ]);
    return { id, engagementId, resourceId };
  }

  async function toEntries(ids: TimeIds, entries: HarvestTimeEntry[]): Promise<TimeEntry[]> {
    const refs = await Promise.all(entries.map((e) => refIds(ids, 'time-entry', e)));
    const billing = await billingRefs(
      store.db,
      refs.map((r) => r.id),
    );
    return entries.map((e, i) => harvestEntryToTimeEntry(e, refs[i], billing.get(refs[i].id)));
  }

  async function toExpenses(ids: TimeIds, expenses: HarvestExpense[]): Promise<Expense[]> {
    const refs = await Promise.all(expenses.map((e) => refIds(ids, 'expense', e)));
    const billing = await billingRefs(
      store.db,
      refs.map((r) => r.id),
    );
    return expenses.map((e, i) => harvestExpenseToExpense(e, refs[i], billing.get(refs[i].id)));
  }

  function nativeOrThrow(ids: TimeIds, entity: 'time-entry' | 'expense' | 'resource', id: string, what: string): Promise<number> {
    return ids.require(entity, id, () => notFound(what, id));
  }

  /** The shared billing rule: one invoice (line) per record, recorded before the platform flag is set. */
  async function claim(
    id: string,
    kind: 'time-entry' | 'expense',
    billable: boolean,
    billedOnPlatform: boolean,
    wanted: { invoiceId: string; invoiceLineId?: string },
  ) {
    const existing = (await billingRefs(store.db, [id])).get(id);
    if (!existing) {
      if (!billable)
        throw new ProblemError('business-rule-violation', {
          detail: `${kind === 'expense' ? 'Expense' : 'Time entry'} ${id} is not billable.`,
        });
      if (billedOnPlatform)
        throw new ProblemError('conflict', {
          detail: `${id} is already billed on the time platform by an invoice the layer does not know.`,
        });
    }
    const stands = await claimBillingRef(store.db, id, kind, wanted);
    if (!sameRef(stands, wanted)) {
      throw new ProblemError('conflict', {
        detail: `${id} is already billed on invoice ${stands.invoiceId}${stands.invoiceLineId ? ` line ${stands.invoiceLineId}` : ''}.`,
      });
    }
  }

  return {
    async listTimeEntries(query = {}) {
      const ids = timeIds(store.db);
      const at = pageOf(query, 'time-entries');
      const filter = await harvestFilter(ids, query);
      if (!filter) return { items: [], nextCursor: null };
      const page = await connector.listTimeEntries(filter, at.page, at.limit);
      // Running timers and empty entries are not work yet; "unbilled" means billable and not billed.
      const wanted = page.time_entries.filter((e) => isRecordedWork(e) && (query.billingStatus !== 'unbilled' || e.billable));
      return {
        items: await toEntries(ids, wanted),
        nextCursor: nextNumberedCursor(at, page.next_page !== null && page.time_entries.length > 0),
      };
    },

    async getTimeEntry(timeEntryId) {
      const ids = timeIds(store.db);
      const entry = await connector.getTimeEntry(await nativeOrThrow(ids, 'time-entry', timeEntryId, 'time entry'));
      if (!entry || !isRecordedWork(entry)) throw notFound('time entry', timeEntryId);
      return (await toEntries(ids, [entry]))[0];
    },

    async markTimeEntryBilled(timeEntryId, billing) {
      const ids = timeIds(store.db);
      const native = await nativeOrThrow(ids, 'time-entry', timeEntryId, 'time entry');
      const entry = await connector.getTimeEntry(native);
      if (!entry) throw notFound('time entry', timeEntryId);
      await claim(timeEntryId, 'time-entry', entry.billable, entry.is_billed, billing);
      const billed = entry.is_billed ? entry : await connector.setTimeEntryBilled(native, true);
      deps.logger?.info({ timeEntryId, invoiceId: billing.invoiceId }, 'time entry marked billed');
      return (await toEntries(ids, [billed]))[0];
    },

    async listExpenses(query = {}) {
      const ids = timeIds(store.db);
      const at = pageOf(query, 'expenses');
      const filter = await harvestFilter(ids, query);
      if (!filter) return { items: [], nextCursor: null };
      const page = await connector.listExpenses(filter, at.page, at.limit);
      const wanted = page.expenses.filter((e) => query.billingStatus !== 'unbilled' || e.billable);
      return {
        items: await toExpenses(ids, wanted),
        nextCursor: nextNumberedCursor(at, page.next_page !== null && page.expenses.length > 0),
      };
    },

    async getExpense(expenseId) {
      const ids = timeIds(store.db);
      const expense = await connector.getExpense(await nativeOrThrow(ids, 'expense', expenseId, 'expense'));
      if (!expense) throw notFound('expense', expenseId);
      return (await toExpenses(ids, [expense]))[0];
    },

    async markExpenseBilled(expenseId, billing) {
      const ids = timeIds(store.db);
      const native = await nativeOrThrow(ids, 'expense', expenseId, 'expense');
      const expense = await connector.getExpense(native);
      if (!expense) throw notFound('expense', expenseId);
      await claim(expenseId, 'expense', expense.billable, expense.is_billed, { invoiceId: billing.invoiceId });
      const billed = expense.is_billed ? expense : await connector.setExpenseBilled(native, true);
      return (await toExpenses(ids, [billed]))[0];
    },

    async getProject(engagementId) {
      const ids = timeIds(store.db);
      const native = await ids.native('engagement', engagementId);
      const project = native === undefined ? undefined : await connector.getProject(native);
      if (!project) throw notFound('project for engagement', engagementId);
      return harvestProjectToProject(project, engagementId);
    },

    async putProject(engagementId, input) {
      const ids = timeIds(store.db);
      const native = await ids.native('engagement', engagementId);
      if (native !== undefined) {
        const { client_id: _client, ...patch } = projectToHarvestInput(input, 0);
        return { project: harvestProjectToProject(await connector.updateProject(native, patch), engagementId), created: false };
      }
      const clients = await connector.allClients();
      const client =
        clients.find((c) => c.name === input.clientName) ??
        (await connector.createClient({ name: input.clientName, currency: input.currency }));
      if (client.currency !== input.currency) {
        throw new ProblemError('business-rule-violation', {
          detail: `Client ${input.clientName} bills in ${client.currency} on the time platform, not ${input.currency}.`,
        });
      }
      const project = await connector.createProject(projectToHarvestInput(input, client.id));
      await ids.link('engagement', engagementId, project.id);
      return { project: harvestProjectToProject(project, engagementId), created: true };
    },

    async recordTimesheetApproval(input) {
      const ids = timeIds(store.db);
      const userId = await nativeOrThrow(ids, 'resource', input.resourceId, 'resource');
      const week = await connector.timesheetApproval({ user_id: userId, week_of: input.weekOf, action: input.action });
      const [timeEntryIds, expenseIds] = await Promise.all([
        Promise.all(week.time_entry_ids.map((id) => ids.canonical('time-entry', id))),
        Promise.all(week.expense_ids.map((id) => ids.canonical('expense', id))),
      ]);
      return harvestApprovalToApproval(week, { resourceId: input.resourceId, timeEntryIds, expenseIds });
    },
  };
}
