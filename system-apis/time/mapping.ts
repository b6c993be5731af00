// Pure mapping between Harvest-shaped payloads and canonical time records, both ways.
// Native ids are resolved to canonical ids by the caller (cross-reference store) and passed in.
//
// Durations: Harvest records decimal hours with two places (1.17). durationHours carries them
// exactly, as integer hundredths on the way ("1.17" = 117): that is what is billed. A live figure
// with more places (a running timer) is rounded half up to hundredths, as Harvest saves it.
// durationMinutes is the hundredths rounded to whole minutes (1.17 h → 70), for display only.
// rounded_hours is Harvest's own billing rounding and is not used here.
import { hoursToHundredths, hundredthsToHours, hundredthsToMinutes, MAX_HUNDREDTHS_PER_DAY } from '../../core/hours.js';
import { minorToDecimalNumber, decimalToMinor } from '../../core/money.js';
import { ProblemError } from '../../core/problems.js';
import type {
  ApprovalStatus,
  BillingStatus,
  Expense,
  ExpenseCategory,
  Money,
  TimeEntry,
  TimeProject,
  TimeProjectInput,
} from './canonical.js';
import type { HarvestExpense, HarvestProject, HarvestProjectInput, HarvestTimeEntry } from './vendor-types.js';

/** Harvest hours as integer hundredths of an hour, exactly (1.17 → 117). */
export function hoursToHundredthsOfPlatform(hours: number): number {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
    throw new ProblemError('upstream-error', { detail: `Platform sent invalid hours: ${String(hours)}` });
  }
  return hoursToHundredths(hours, { rounding: 'half-away-from-zero' });
}

/** A platform task or job title as a canonical role code: "Senior Consultant" → "senior-consultant". */
export function roleCode(name: string | null | undefined): string {
  const code = (name ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return code.length >= 2 ? code : 'unspecified';
}

/**
 * Harvest's API reports approval only as `is_closed` (approved through Timesheet Approval); it
 * does not report submission. Approved reads `approved`, anything else `draft`.
 */
export function approvalStatusOf(record: { is_closed: boolean }): ApprovalStatus {
  return record.is_closed ? 'approved' : 'draft';
}

/**
 * Billed when the layer's billing ledger holds the record's invoice (the layer's record), or
 * when Harvest reports it invoiced by one of Harvest's own invoices (`is_billed`, read-only).
 */
export function billingStatusOf(record: { billable: boolean; is_billed: boolean }, billing?: BillingRef): BillingStatus {
  if (billing || record.is_billed) return 'billed';
  return record.billable ? 'unbilled' : 'not-billable';
}

/** Harvest instants are RFC 3339 UTC already; normalise and reject garbage. */
export function instant(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ProblemError('upstream-error', { detail: `Platform sent an invalid timestamp: ${value}` });
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function money(value: number | null, currency: string): Money | undefined {
  // Harvest amounts carry at most the currency's places; more is a platform error, not a rounding.
  if (value === null) return undefined;
  try {
    return { amountMinor: decimalToMinor(value, currency), currency };
  } catch (err) {
    throw new ProblemError('upstream-error', { detail: `Platform sent an amount ${value} not representable in ${currency}`, cause: err });
  }
}

/** Work worth mapping: a running timer or an entry with no time yet is not billable work. */
export function isRecordedWork(entry: HarvestTimeEntry): boolean {
  return !entry.is_running && hoursToHundredthsOfPlatform(entry.hours) > 0;
}

export interface TimeRefIds {
  id: string;
  engagementId: string;
  resourceId: string;
}

export interface BillingRef {
  invoiceId: string;
  invoiceLineId?: string | null;
}

export function harvestEntryToTimeEntry(entry: HarvestTimeEntry, ids: TimeRefIds, billing?: BillingRef): TimeEntry {
  const hundredths = hoursToHundredthsOfPlatform(entry.hours);
  if (hundredths < 1 || hundredths > MAX_HUNDREDTHS_PER_DAY) {
    throw new ProblemError('upstream-error', { detail: `Time entry with ${entry.hours} hours cannot be a day's work` });
  }
  const out: TimeEntry = {
    id: ids.id,
    engagementId: ids.engagementId,
    resourceId: ids.resourceId,
    role: roleCode(entry.task.name),
    workDate: entry.spent_date,
    durationMinutes: hundredthsToMinutes(hundredths),
    durationHours: hundredthsToHours(hundredths),
    billable: entry.billable,
    approvalStatus: approvalStatusOf(entry),
    billingStatus: billingStatusOf(entry, billing),
    updatedAt: instant(entry.updated_at),
  };
  if (entry.notes) out.description = entry.notes;
  // invoiceId and invoiceLineId are read-only in the contract: set once, here, from the ledger.
  if (!billing) return out;
  return { ...out, invoiceId: billing.invoiceId, ...(billing.invoiceLineId ? { invoiceLineId: billing.invoiceLineId } : {}) };
}

/** The entry's rates in minor units of the client's currency (for rating checks and reports). */
export function entryRates(entry: HarvestTimeEntry): { billableRate?: Money; costRate?: Money } {
  return { billableRate: money(entry.billable_rate, entry.client.currency), costRate: money(entry.cost_rate, entry.client.currency) };
}

const CATEGORY_WORDS: Array<[RegExp, ExpenseCategory]> = [
  [/travel|train|flight|air|taxi|mileage|car|transport|parking/, 'travel'],
  [/hotel|lodging|accommodation/, 'lodging'],
  [/meal|food|lunch|dinner|breakfast|entertainment/, 'meals'],
  [/material|equipment|supplies|software|hardware/, 'materials'],
];

export function expenseCategoryToCanonical(name: string): ExpenseCategory {
  const lower = name.toLowerCase();
  return CATEGORY_WORDS.find(([re]) => re.test(lower))?.[1] ?? 'other';
}

export function harvestExpenseToExpense(expense: HarvestExpense, ids: TimeRefIds, billing?: BillingRef): Expense {
  const amount = money(expense.total_cost, expense.client.currency);
  if (!amount) throw new ProblemError('upstream-error', { detail: 'Expense without total_cost' });
  const out: Expense = {
    id: ids.id,
    engagementId: ids.engagementId,
    resourceId: ids.resourceId,
    incurredOn: expense.spent_date,
    category: expenseCategoryToCanonical(expense.expense_category.name),
    amount,
    billable: expense.billable,
    approvalStatus: approvalStatusOf(expense),
    billingStatus: billingStatusOf(expense, billing),
    updatedAt: instant(expense.updated_at),
  };
  if (expense.notes) out.description = expense.notes;
  return billing ? { ...out, invoiceId: billing.invoiceId } : out;
}

/** Canonical money → the JSON number Harvest takes, refusing a currency the client does not bill in. */
export function moneyToHarvest(amount: Money, clientCurrency: string): number {
  if (amount.currency !== clientCurrency) {
    throw new ProblemError('business-rule-violation', { detail: `Amount in ${amount.currency}; the client bills in ${clientCurrency}` });
  }
  return minorToDecimalNumber(amount.amountMinor, amount.currency);
}

/** Harvest's updated_since takes an RFC 3339 instant; a canonical cursor instant passes through validated. */
export function updatedSinceParam(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) {
    throw new ProblemError('validation-failed', {
      detail: 'updatedSince must be an RFC 3339 instant',
      errors: [{ pointer: '/query/updatedSince', detail: 'not an instant' }],
    });
  }
  return new Date(ms).toISOString();
}

export function harvestProjectToProject(project: HarvestProject, engagementId: string): TimeProject {
  const out: TimeProject = {
    engagementId,
    name: project.name,
    clientName: project.client.name,
    currency: project.client.currency,
    billable: project.is_billable,
    active: project.is_active,
    updatedAt: instant(project.updated_at),
  };
  return project.code ? { ...out, code: project.code } : out;
}

/** Harvest project body; the client is resolved (or created) by the caller. Billed by task: tasks are roles. */
export function projectToHarvestInput(input: TimeProjectInput, clientId: number): HarvestProjectInput {
  const billable = input.billable ?? true;
  return { client_id: clientId, name: input.name, code: input.code ?? null, is_billable: billable, bill_by: billable ? 'Tasks' : 'none' };
}
