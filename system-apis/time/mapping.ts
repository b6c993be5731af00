// Pure mapping between Harvest-shaped payloads and canonical time records, both ways.
// Native ids are resolved to canonical ids by the caller (cross-reference store) and passed in.
//
// Durations: Harvest hours are decimals (1.25). durationMinutes = round(hours × 60), half
// away from zero (hours are never negative), so 0.01 h → 1 min and 1.2567 h → 75 min. Back
// to the platform, hours = minutes / 60 rounded to two places, which always maps back to the
// same whole minutes. rounded_hours is Harvest's own billing rounding and is not used here.
import { fromMinorNumber, toMinor, type Money } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type { Approval, ApprovalStatus, Expense, NamedRef, TimeEntry } from './canonical.js';
import type {
  HarvestApprovalStatus,
  HarvestExpense,
  HarvestTimeEntry,
  HarvestTimesheetApproval,
} from './vendor-types.js';

export function hoursToMinutes(hours: number): number {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
    throw new ProblemError('upstream-error', { detail: `Platform sent invalid hours: ${String(hours)}` });
  }
  return Math.round(hours * 60);
}

export function minutesToHours(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new ProblemError('validation-failed', { detail: `durationMinutes must be a non-negative integer, got ${minutes}` });
  }
  return Math.round((minutes / 60) * 100) / 100;
}

const TO_CANONICAL: Record<HarvestApprovalStatus, ApprovalStatus> = {
  unsubmitted: 'draft',
  submitted: 'submitted',
  approved: 'approved',
};
const TO_HARVEST: Record<ApprovalStatus, HarvestApprovalStatus> = {
  draft: 'unsubmitted',
  submitted: 'submitted',
  approved: 'approved',
};

export function approvalStatusToCanonical(status: string): ApprovalStatus {
  const mapped = TO_CANONICAL[status as HarvestApprovalStatus];
  if (!mapped) throw new ProblemError('upstream-error', { detail: `Unknown approval_status ${JSON.stringify(status)}` });
  return mapped;
}

export function approvalStatusToHarvest(status: ApprovalStatus): HarvestApprovalStatus {
  return TO_HARVEST[status];
}

/** Harvest instants are RFC 3339 UTC already; normalise and reject garbage. */
export function instant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ProblemError('upstream-error', { detail: `Platform sent an invalid timestamp: ${value}` });
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function money(value: number | null, currency: string): Money | null {
  // Harvest rates and costs carry at most the currency's places; more is a platform error, not rounding.
  if (value === null) return null;
  try {
    return { amountMinor: toMinor(value, currency), currency };
  } catch (err) {
    throw new ProblemError('upstream-error', { detail: `Platform sent an amount ${value} not representable in ${currency}`, cause: err });
  }
}

/** Canonical ids for the records a time entry or expense points at. */
export interface TimeRefIds {
  id: string;
  resourceId: string;
  projectId: string;
  clientId: string;
}

function ref(id: string, name: string): NamedRef {
  return { id, name };
}

export function harvestEntryToTimeEntry(entry: HarvestTimeEntry, ids: TimeRefIds): TimeEntry {
  const currency = entry.client.currency;
  return {
    id: ids.id,
    workDate: entry.spent_date,
    durationMinutes: hoursToMinutes(entry.hours),
    notes: entry.notes,
    billable: entry.billable,
    billed: entry.is_billed,
    locked: entry.is_locked,
    approvalStatus: approvalStatusToCanonical(entry.approval_status),
    resource: ref(ids.resourceId, entry.user.name),
    project: { ...ref(ids.projectId, entry.project.name), code: entry.project.code },
    client: ref(ids.clientId, entry.client.name),
    activity: entry.task.name,
    billableRate: money(entry.billable_rate, currency),
    costRate: money(entry.cost_rate, currency),
    createdAt: instant(entry.created_at),
    updatedAt: instant(entry.updated_at),
  };
}

export function harvestExpenseToExpense(expense: HarvestExpense, ids: TimeRefIds): Expense {
  const currency = expense.client.currency;
  const amount = money(expense.total_cost, currency);
  if (!amount) throw new ProblemError('upstream-error', { detail: 'Expense without total_cost' });
  return {
    id: ids.id,
    workDate: expense.spent_date,
    amount,
    category: expense.expense_category.name,
    units: expense.units,
    notes: expense.notes,
    billable: expense.billable,
    billed: expense.is_billed,
    locked: expense.is_locked,
    approvalStatus: approvalStatusToCanonical(expense.approval_status),
    resource: ref(ids.resourceId, expense.user.name),
    project: { ...ref(ids.projectId, expense.project.name), code: expense.project.code },
    client: ref(ids.clientId, expense.client.name),
    createdAt: instant(expense.created_at),
    updatedAt: instant(expense.updated_at),
  };
}

/** Canonical money → the JSON number Harvest takes, refusing a currency the client does not bill in. */
export function moneyToHarvest(amount: Money, clientCurrency: string): number {
  if (amount.currency !== clientCurrency) {
    throw new ProblemError('business-rule-violation', { detail: `Amount in ${amount.currency}; the client bills in ${clientCurrency}` });
  }
  return fromMinorNumber(amount.amountMinor, amount.currency);
}

export function harvestApprovalToApproval(
  approval: HarvestTimesheetApproval,
  ids: { resourceId: string; timeEntryIds: string[]; expenseIds: string[] },
): Approval {
  return {
    resourceId: ids.resourceId,
    weekStart: approval.week_start,
    weekEnd: approval.week_end,
    approvalStatus: approvalStatusToCanonical(approval.approval_status),
    timeEntryIds: ids.timeEntryIds,
    expenseIds: ids.expenseIds,
    updatedAt: instant(approval.updated_at),
  };
}

/** Harvest's updated_since takes an RFC 3339 instant; a canonical cursor instant passes through validated. */
export function updatedSinceParam(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new ProblemError('validation-failed', { detail: 'updatedSince must be an RFC 3339 instant', errors: [{ pointer: '/updatedSince', detail: 'not an instant' }] });
  return new Date(ms).toISOString();
}
