// The time system API as a typed in-process API: time entries and expenses in canonical form.
// Vendor calls go through the connector (reads only: approval and Harvest's own invoicing are
// read from each record); ids through the cross-reference store; what the layer billed through
// its billing ledger (billing-refs.ts), which is never written back to the time platform.
import type { Logger } from '../../core/observability/logger.js';
import { ProblemError } from '../../core/problems.js';
import type { Store } from '../../core/store/index.js';
import type { components } from '../../generated/openapi/system/time.v1.js';
import { z } from 'zod';
import { cursorKind, cursorLimit, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf } from '../../core/paging.js';
import { billingRefs, claimBillingRef, claimBillingRefs, sameRef, type BillingRef } from './billing-refs.js';
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
import { MAX_PER_PAGE, type TimeConnector, type TimeEntriesPage, type TimeEntryFilter } from './connector.js';
import { recordLinksOf, type RecordLink } from '../kit/record-links.js';
import { timeIds, unknownIds, type TimeEntity, type TimeIds } from './ids.js';
import {
  approvalStatusOf,
  harvestEntryToTimeEntry,
  harvestExpenseToExpense,
  harvestProjectToProject,
  isRecordedWork,
  projectToHarvestInput,
  updatedSinceParam,
} from './mapping.js';
import type { HarvestExpense, HarvestTimeEntry } from './vendor-types.js';
import { pullTimeEntryChanges, timeEntryFeedFrom, type TimeEntryChangePage, type TimeEntryFeedPosition } from './changes.js';

export type TimeEntryPage = components['schemas']['TimeEntryPage'];
export type BillingRecordsInput = components['schemas']['BillingRecordsInput'];
export type BillingRecords = components['schemas']['BillingRecords'];
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

/** The filters of a bulk read: those of a listing, without its paging. */
export type TimeBulkQuery = Omit<TimeQuery, 'cursor' | 'limit'>;

export interface TimeSystemApi {
  listTimeEntries(query?: TimeQuery): Promise<TimeEntryPage>;
  /**
   * Every entry matching the query, one platform page at a time (the platform's largest, 2,000
   * records, where the contract's listing takes at most 200): the layer's own bulk reads, in
   * process. Each platform page gives one array, filtered as `listTimeEntries` filters (so possibly
   * empty); the next page is read while the caller works on this one, so at most two are held.
   */
  timeEntryPages(query?: TimeBulkQuery): AsyncIterable<TimeEntry[]>;
  getTimeEntry(timeEntryId: string): Promise<TimeEntry>;
  /** Idempotent for the same invoice line; 409 for another one. */
  markTimeEntryBilled(timeEntryId: string, billing: TimeEntryBilling): Promise<TimeEntry>;
  listExpenses(query?: TimeQuery): Promise<ExpensePage>;
  getExpense(expenseId: string): Promise<Expense>;
  markExpenseBilled(expenseId: string, billing: ExpenseBilling): Promise<Expense>;
  /**
   * Records many records billed on one invoice in the ledger, all or nothing, without reading the
   * platform: for work just read as unbilled. 409 when any is on another invoice (line), 404 for an unknown id.
   */
  recordBilling(input: BillingRecordsInput): Promise<BillingRecords>;
  /** Deprecated: the platform's API has no timesheet approval; always a 422. */
  recordTimesheetApproval(input: TimesheetApprovalInput): Promise<TimesheetApproval>;
  getProject(engagementId: string): Promise<TimeProject>;
  /** Where a new time entry feed starts: every entry updated at or after `at`. */
  timeEntryFeedStart(at: Date): TimeEntryFeedPosition;
  /** One page of time entry changes after a position, oldest first (the catch-up feed). */
  timeEntryChangesSince(from: TimeEntryFeedPosition, limit?: number): Promise<TimeEntryChangePage>;
  /** Creates the platform project (and client) for the engagement, or updates it. */
  putProject(engagementId: string, input: TimeProjectInput): Promise<{ project: TimeProject; created: boolean }>;
  /**
   * Harvest ids of canonical records, read in bulk; ids the platform never had are left out. No URL:
   * Harvest shows a time entry or expense only within a person's day or week, and its project pages
   * live on the account's own subdomain, which the API (api.harvestapp.com) does not need and the
   * layer is not told.
   */
  recordLinks(entity: TimeEntity, canonicalIds: readonly string[]): Promise<Map<string, RecordLink>>;
}

export interface TimeSystemApiDeps {
  connector: TimeConnector;
  store: Store;
  logger?: Logger;
}

function notFound(what: string, id: string): ProblemError {
  return new ProblemError('not-found', { detail: `No ${what} ${id} on the time platform.` });
}

/** The longest platform next-page path a cursor carries (so the cursor stays within its 512 characters). */
const MAX_NEXT_PATH = 320;

/**
 * Each collection's cursor carries the platform's own next-page link (Harvest's `links.next`,
 * relative to its base URL) and the page size; the filters are bound into its signature.
 */
export const TIME_CURSORS = {
  'time-entries': cursorKind('time.time-entries', { next: z.string().min(1).max(MAX_NEXT_PATH), limit: cursorLimit() }),
  expenses: cursorKind('time.expenses', { next: z.string().min(1).max(MAX_NEXT_PATH), limit: cursorLimit() }),
} as const;

interface PageStart {
  collection: keyof typeof TIME_CURSORS;
  scope: string;
  limit: number;
  /** The platform path of the page to read; undefined for the first page. */
  next?: string;
}

function pageStart(query: TimeQuery, collection: keyof typeof TIME_CURSORS): PageStart {
  const { cursor, limit, ...filters } = query;
  const scope = scopeOf(filters);
  const at = decodeOptionalCursor(TIME_CURSORS[collection], cursor, scope);
  return at ? { collection, scope, ...at } : { collection, scope, limit: pageLimit(limit) };
}

function nextCursor(at: PageStart, nextPath: string | null): string | null {
  if (nextPath === null) return null;
  if (nextPath.length > MAX_NEXT_PATH) {
    throw new ProblemError('upstream-error', { detail: 'The time platform answered a next-page link too long to carry in a cursor.' });
  }
  return encodeCursor(TIME_CURSORS[at.collection], { next: nextPath, limit: at.limit }, at.scope);
}

/** Harvest reports approved or not; submission is not visible through its API. */
function approvalWanted(query: TimeQuery): ((record: { is_closed: boolean }) => boolean) | undefined {
  if (!query.approvalStatus) return undefined;
  if (query.approvalStatus === 'submitted') {
    throw new ProblemError('bad-request', {
      detail: 'The time platform does not report submitted timesheets; ask for draft or approved.',
      errors: [{ pointer: '/approvalStatus', detail: 'submitted is not reported by the time platform' }],
    });
  }
  const wanted = query.approvalStatus;
  return (record) => approvalStatusOf(record) === wanted;
}

/** Whether a record is in the asked billing state, by the ledger first and then by the platform. */
function billingWanted(query: TimeQuery, record: { billable: boolean; is_billed: boolean }, ref: BillingRef | undefined): boolean {
  if (query.billingStatus === 'unbilled') return record.billable && !record.is_billed && !ref;
  if (query.billingStatus === 'billed') return record.is_billed || ref !== undefined;
  return true;
}

export function createTimeSystemApi(deps: TimeSystemApiDeps): TimeSystemApi {
  const { connector, store } = deps;

  /** Canonical query → Harvest filter; undefined when a filter names a record the platform never had. */
  async function harvestFilter(ids: TimeIds, query: TimeQuery): Promise<TimeEntryFilter | undefined> {
    // Only "not invoiced in Harvest" narrows on the platform: what the layer billed lives in its ledger.
    const filter: TimeEntryFilter = {
      isBilled: query.billingStatus === 'unbilled' ? false : undefined,
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

  /**
   * Canonical ids and ledger entries of a page of records: each kind of id in one query per few
   * hundred records (first-seen records linked in bulk), and one ledger read.
   */
  async function withRefs<T extends HarvestTimeEntry | HarvestExpense>(ids: TimeIds, entity: 'time-entry' | 'expense', records: T[]) {
    const [own, engagements, resources] = await Promise.all([
      ids.canonicalMany(
        entity,
        records.map((r) => ({ nativeId: r.id })),
      ),
      ids.canonicalMany(
        'engagement',
        records.map((r) => ({ nativeId: r.project.id })),
      ),
      ids.canonicalMany(
        'resource',
        records.map((r) => ({ nativeId: r.user.id })),
      ),
    ]);
    const refs = records.map((r) => ({
      id: own.get(String(r.id))!,
      engagementId: engagements.get(String(r.project.id))!,
      resourceId: resources.get(String(r.user.id))!,
    }));
    const billing = await billingRefs(
      store.db,
      refs.map((r) => r.id),
    );
    return records.map((record, i) => ({ record, ids: refs[i], billing: billing.get(refs[i].id) }));
  }

  /** A platform page's entries in canonical form, as the query asks: approval and the ledger apply per page. */
  async function entriesWanted(
    ids: TimeIds,
    query: TimeQuery,
    approved: ReturnType<typeof approvalWanted>,
    page: TimeEntriesPage,
  ): Promise<TimeEntry[]> {
    // Running timers and empty entries are not work yet.
    const work = page.time_entries.filter((e) => isRecordedWork(e) && (!approved || approved(e)));
    const rows = (await withRefs(ids, 'time-entry', work)).filter((r) => billingWanted(query, r.record, r.billing));
    return rows.map((r) => harvestEntryToTimeEntry(r.record, r.ids, r.billing));
  }

  async function toEntries(ids: TimeIds, entries: HarvestTimeEntry[]): Promise<TimeEntry[]> {
    return (await withRefs(ids, 'time-entry', entries)).map((r) => harvestEntryToTimeEntry(r.record, r.ids, r.billing));
  }

  async function toExpenses(ids: TimeIds, expenses: HarvestExpense[]): Promise<Expense[]> {
    return (await withRefs(ids, 'expense', expenses)).map((r) => harvestExpenseToExpense(r.record, r.ids, r.billing));
  }

  function nativeOrThrow(ids: TimeIds, entity: 'time-entry' | 'expense' | 'resource', id: string, what: string): Promise<number> {
    return ids.require(entity, id, () => notFound(what, id));
  }

  /**
   * The shared billing rule: one invoice (line) per record, recorded in the ledger only. A record
   * Harvest reports invoiced (by one of its own invoices) and the ledger does not know is not ours to bill.
   */
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
      const at = pageStart(query, 'time-entries');
      const approved = approvalWanted(query);
      const filter = await harvestFilter(ids, query);
      if (!filter) return { items: [], nextCursor: null };
      const page = at.next ? await connector.timeEntriesAt(at.next) : await connector.listTimeEntries(filter, at.limit);
      return { items: await entriesWanted(ids, query, approved, page), nextCursor: nextCursor(at, page.nextPath) };
    },

    async *timeEntryPages(query = {}) {
      const approved = approvalWanted(query);
      const filter = await harvestFilter(timeIds(store.db), query);
      if (!filter) return;
      let next: Promise<TimeEntriesPage> | undefined = connector.listTimeEntries(filter, MAX_PER_PAGE);
      while (next) {
        const page: TimeEntriesPage = await next;
        // Read ahead: the platform answers while this page is mapped and the caller works on it. A
        // caller that stops early leaves that read unused; its failure is then nobody's to report.
        next = page.nextPath === null ? undefined : connector.timeEntriesAt(page.nextPath);
        next?.catch(() => undefined);
        // A fresh id memo per page, so a read of the whole platform holds no more than a page of ids.
        yield await entriesWanted(timeIds(store.db), query, approved, page);
      }
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
      deps.logger?.info({ timeEntryId, invoiceId: billing.invoiceId }, 'time entry billed in the ledger');
      return (await toEntries(ids, [entry]))[0];
    },

    async listExpenses(query = {}) {
      const ids = timeIds(store.db);
      const at = pageStart(query, 'expenses');
      const approved = approvalWanted(query);
      const filter = await harvestFilter(ids, query);
      if (!filter) return { items: [], nextCursor: null };
      const page = at.next ? await connector.expensesAt(at.next) : await connector.listExpenses(filter, at.limit);
      const rows = (await withRefs(ids, 'expense', approved ? page.expenses.filter(approved) : page.expenses)).filter((r) =>
        billingWanted(query, r.record, r.billing),
      );
      return {
        items: rows.map((r) => harvestExpenseToExpense(r.record, r.ids, r.billing)),
        nextCursor: nextCursor(at, page.nextPath),
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
      return (await toExpenses(ids, [expense]))[0];
    },

    async recordBilling(input) {
      const seen = new Set<string>();
      for (const r of input.records) {
        if (seen.has(r.id))
          throw new ProblemError('bad-request', {
            detail: `Record ${r.id} is listed twice.`,
            errors: [{ pointer: '/records', detail: 'ids must be unique' }],
          });
        seen.add(r.id);
      }
      for (const kind of ['time-entry', 'expense'] as const) {
        const [unknown] = await unknownIds(
          store.db,
          kind,
          input.records.filter((r) => r.kind === kind).map((r) => r.id),
        );
        if (unknown) throw notFound(kind === 'expense' ? 'expense' : 'time entry', unknown);
      }
      const claims = input.records.map((r) => ({
        canonicalId: r.id,
        kind: r.kind,
        invoiceId: input.invoiceId,
        ...(r.kind === 'time-entry' && r.invoiceLineId ? { invoiceLineId: r.invoiceLineId } : {}),
      }));
      const { recorded, already } = await claimBillingRefs(store.db, claims);
      deps.logger?.info({ invoiceId: input.invoiceId, recorded, already }, 'time records billed in the ledger');
      return { invoiceId: input.invoiceId, recorded, alreadyRecorded: already };
    },

    timeEntryFeedStart: (at) => timeEntryFeedFrom(at),

    timeEntryChangesSince(from, limit) {
      const ids = timeIds(store.db);
      return pullTimeEntryChanges(
        {
          updatedSince: async (since) => (await connector.allTimeEntries({ updatedSince: since })).filter(isRecordedWork),
          toEntries: (entries) => toEntries(ids, entries),
        },
        from,
        limit,
      );
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

    recordLinks: (entity, canonicalIds) => recordLinksOf(timeIds(store.db), entity, canonicalIds, () => null),

    async recordTimesheetApproval() {
      throw new ProblemError('business-rule-violation', {
        detail:
          "The time platform's API has no timesheet approval: weeks are approved in its own screens, and each record's approvalStatus shows the result.",
      });
    },
  };
}
