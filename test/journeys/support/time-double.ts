// A Time system API stand-in for journey tests, with the contract's semantics for what
// billing relies on: filters, cursor pages of at most 200 (bulk reads too), "mark billed" idempotent for the
// same invoice line and 409 for another, and an optional failure rate on every call.
import { v7 as uuidv7 } from 'uuid';
import { hundredthsToHours } from '../../../core/hours.js';
import { mulDivRounded } from '../../../core/money.js';
import { z } from 'zod';
import { cursorKind, decodeOptionalCursor, encodeCursor, scopeOf } from '../../../core/paging.js';
import { ProblemError } from '../../../core/problems.js';
import type {
  BillingRecords,
  BillingRecordsInput,
  Expense,
  TimeEntry,
  TimeForBilling,
  TimePage,
  TimeRecordQuery,
  TimeBulkQuery,
} from '../../../process-apis/time-to-billing/ports.js';

/** The double's own cursors, signed like the layer's: keyset by record id, bound to the filters. */
const TIME_DOUBLE_CURSOR = cursorKind('test.time-double', { after: z.string().min(1) });

export class TimeDouble implements TimeForBilling {
  readonly entries = new Map<string, TimeEntry>();
  readonly expenses = new Map<string, Expense>();
  /** Share of calls (0..1) that fail with 503 before doing anything. */
  failureRate = 0;
  /** Share of "mark billed" calls that take effect but answer 503 (a lost response). */
  lostResponseRate = 0;
  calls = 0;

  private maybeFail(): void {
    this.calls++;
    if (this.failureRate > 0 && Math.random() < this.failureRate)
      throw new ProblemError('upstream-unavailable', { detail: 'Time platform unavailable (injected).' });
  }

  /**
   * An entry as the time platform records it: hours with two places. Given only minutes, its
   * hours are those minutes as the platform would save them (95 min → 1.58 h).
   */
  addEntry(e: Partial<TimeEntry> & Pick<TimeEntry, 'engagementId' | 'role' | 'workDate' | 'durationMinutes'>): TimeEntry {
    const durationHours = e.durationHours ?? hundredthsToHours(mulDivRounded(e.durationMinutes, 100, 60));
    const entry: TimeEntry = {
      id: uuidv7(),
      resourceId: uuidv7(),
      billable: true,
      approvalStatus: 'approved',
      billingStatus: 'unbilled',
      updatedAt: new Date().toISOString(),
      ...e,
      durationHours,
    } as TimeEntry;
    this.entries.set(entry.id, entry);
    return entry;
  }

  addExpense(x: Partial<Expense> & Pick<Expense, 'engagementId' | 'incurredOn' | 'amount'>): Expense {
    const expense: Expense = {
      id: uuidv7(),
      resourceId: uuidv7(),
      category: 'travel',
      billable: true,
      approvalStatus: 'approved',
      billingStatus: 'unbilled',
      updatedAt: new Date().toISOString(),
      ...x,
    } as Expense;
    this.expenses.set(expense.id, expense);
    return expense;
  }

  private page<T extends { id: string; engagementId: string; approvalStatus: string; billingStatus: string }>(
    all: Iterable<T>,
    q: TimeRecordQuery,
    dateOf: (r: T) => string,
  ): TimePage<T> {
    const limit = Math.min(q.limit ?? 50, 200);
    const matching = [...all]
      .filter((r) => (!q.approvalStatus || r.approvalStatus === q.approvalStatus) && (!q.engagementId || r.engagementId === q.engagementId))
      .filter((r) => !q.billingStatus || r.billingStatus === q.billingStatus)
      .filter((r) => (!q.from || dateOf(r) >= q.from) && (!q.to || dateOf(r) <= q.to))
      .sort((a, b) => a.id.localeCompare(b.id));
    const { cursor, limit: _limit, ...filters } = q;
    const after = decodeOptionalCursor(TIME_DOUBLE_CURSOR, cursor, scopeOf(filters))?.after ?? '';
    const rest = matching.filter((r) => r.id > after);
    const items = rest.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rest.length > limit && last ? encodeCursor(TIME_DOUBLE_CURSOR, { after: last.id }, scopeOf(filters)) : null,
    };
  }

  async listTimeEntries(q: TimeRecordQuery): Promise<TimePage<TimeEntry>> {
    this.maybeFail();
    return this.page(this.entries.values(), q, (e) => e.workDate);
  }

  /** A bulk read over the double's own pages of 200 (each may fail like any call). */
  async *timeEntryPages(q: TimeBulkQuery = {}): AsyncGenerator<TimeEntry[]> {
    let cursor: string | undefined;
    do {
      const page = await this.listTimeEntries({ ...q, limit: 200, ...(cursor ? { cursor } : {}) });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async listExpenses(q: TimeRecordQuery): Promise<TimePage<Expense>> {
    this.maybeFail();
    return this.page(this.expenses.values(), q, (x) => x.incurredOn);
  }

  /** The ledger's batch: every record checked before any is changed (all or nothing). */
  async recordBilling(input: BillingRecordsInput): Promise<BillingRecords> {
    this.maybeFail();
    let already = 0;
    for (const r of input.records) {
      const record = r.kind === 'time-entry' ? this.entries.get(r.id) : this.expenses.get(r.id);
      if (!record) throw new ProblemError('not-found', { detail: `No ${r.kind} ${r.id}.` });
      if (record.billingStatus !== 'billed') continue;
      const line = r.kind === 'time-entry' ? r.invoiceLineId : undefined;
      const recordLine = 'invoiceLineId' in record ? record.invoiceLineId : undefined;
      if (record.invoiceId !== input.invoiceId || recordLine !== line)
        throw new ProblemError('conflict', { detail: `${r.kind} ${r.id} is billed on another invoice line.` });
      already++;
    }
    for (const r of input.records) {
      if (r.kind === 'time-entry') {
        const entry = this.entries.get(r.id)!;
        this.entries.set(r.id, {
          ...entry,
          billingStatus: 'billed',
          invoiceId: input.invoiceId,
          ...(r.invoiceLineId ? { invoiceLineId: r.invoiceLineId } : {}),
        });
      } else this.expenses.set(r.id, { ...this.expenses.get(r.id)!, billingStatus: 'billed', invoiceId: input.invoiceId });
    }
    if (this.lostResponseRate > 0 && Math.random() < this.lostResponseRate)
      throw new ProblemError('upstream-timeout', { detail: 'Response lost (injected).' });
    return { invoiceId: input.invoiceId, recorded: input.records.length - already, alreadyRecorded: already };
  }
}
