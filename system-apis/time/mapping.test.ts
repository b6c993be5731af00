import { describe, expect, it } from 'vitest';
import {
  approvalStatusOf,
  billingStatusOf,
  entryRates,
  expenseCategoryToCanonical,
  harvestEntryToTimeEntry,
  harvestExpenseToExpense,
  hoursToHundredthsOfPlatform,
  isRecordedWork,
  moneyToHarvest,
  roleCode,
  updatedSinceParam,
} from './mapping.js';
import type { HarvestExpense, HarvestTimeEntry } from './vendor-types.js';
import { ProblemError } from '../../core/problems.js';

const entry: HarvestTimeEntry = {
  id: 636709355,
  spent_date: '2025-03-03',
  user: { id: 1782959, name: 'Kim Allen' },
  client: { id: 5735776, name: '123 Industries', currency: 'EUR' },
  project: { id: 14307913, name: 'Marketing Website', code: 'MW' },
  task: { id: 8083365, name: 'Senior Consultant' },
  hours: 2.11,
  hours_without_timer: 2.11,
  rounded_hours: 2.25,
  notes: 'Adding CSS styling',
  is_locked: true,
  locked_reason: 'Item Approved and Locked for this Time Period',
  is_closed: true,
  is_billed: false,
  invoice: null,
  external_reference: null,
  is_running: false,
  timer_started_at: null,
  billable: true,
  budgeted: true,
  billable_rate: 100.0,
  cost_rate: 50.5,
  created_at: '2025-03-03T21:05:12Z',
  updated_at: '2025-03-04T09:00:00Z',
};

const expense: HarvestExpense = {
  id: 15296442,
  spent_date: '2025-03-04',
  user: { id: 1782959, name: 'Kim Allen' },
  client: { id: 5735776, name: '123 Industries', currency: 'JPY' },
  project: { id: 14307913, name: 'Marketing Website', code: 'MW' },
  expense_category: { id: 4195926, name: 'Meals', unit_price: null, unit_name: null },
  notes: 'Team lunch',
  units: 1,
  total_cost: 3300,
  billable: true,
  is_closed: false,
  is_locked: false,
  is_billed: false,
  locked_reason: null,
  invoice: null,
  receipt: null,
  created_at: '2025-03-04T12:00:00Z',
  updated_at: '2025-03-04T12:00:00Z',
};

const ids = { id: 'te-1', engagementId: 'eng-1', resourceId: 'res-1' };

describe('time mapping: entries', () => {
  it('maps a Harvest time entry to a canonical entry', () => {
    expect(harvestEntryToTimeEntry(entry, ids)).toEqual({
      id: 'te-1',
      engagementId: 'eng-1',
      resourceId: 'res-1',
      role: 'senior-consultant',
      workDate: '2025-03-03',
      durationMinutes: 127,
      durationHours: '2.11',
      billable: true,
      description: 'Adding CSS styling',
      approvalStatus: 'approved',
      billingStatus: 'unbilled',
      updatedAt: '2025-03-04T09:00:00Z',
    });
  });

  it('shows the invoice line of a billed entry, and billing states', () => {
    const billed = harvestEntryToTimeEntry(entry, ids, { invoiceId: 'inv-1', invoiceLineId: 'line-1' });
    expect(billed, 'the ledger alone makes an entry billed').toMatchObject({
      billingStatus: 'billed',
      invoiceId: 'inv-1',
      invoiceLineId: 'line-1',
    });
    const invoicedInHarvest = harvestEntryToTimeEntry({ ...entry, is_billed: true }, ids);
    expect(invoicedInHarvest.billingStatus, 'an invoice made in Harvest bills it too').toBe('billed');
    expect(invoicedInHarvest.invoiceId, 'but no invoice of the layer').toBeUndefined();
    expect(billingStatusOf({ billable: false, is_billed: false })).toBe('not-billable');
    expect(harvestEntryToTimeEntry({ ...entry, notes: null }, ids).description).toBeUndefined();
  });

  it('carries the recorded hours exactly and rounds minutes for display only', () => {
    expect(hoursToHundredthsOfPlatform(1.17), '1.17 h is 117 hundredths, not 70 minutes').toBe(117);
    expect(hoursToHundredthsOfPlatform(19.92)).toBe(1992);
    expect(hoursToHundredthsOfPlatform(0.01)).toBe(1);
    expect(hoursToHundredthsOfPlatform(1.2567), 'a live figure is rounded as the platform saves it').toBe(126);
    expect(hoursToHundredthsOfPlatform(0.004)).toBe(0);
    for (let h = 0; h <= 2400; h++) expect(hoursToHundredthsOfPlatform(h / 100), `${h} hundredths round-trip`).toBe(h);
    expect(() => hoursToHundredthsOfPlatform(Number.NaN)).toThrow(ProblemError);
    expect(() => hoursToHundredthsOfPlatform(-1)).toThrow(ProblemError);
    const mapped = harvestEntryToTimeEntry({ ...entry, hours: 1.17 }, ids);
    expect(mapped.durationHours, 'the billed quantity').toBe('1.17');
    expect(mapped.durationMinutes, 'the display rounding').toBe(70);
    expect(harvestEntryToTimeEntry({ ...entry, hours: 0.01 }, ids)).toMatchObject({ durationHours: '0.01', durationMinutes: 1 });
    expect(() => harvestEntryToTimeEntry({ ...entry, hours: 30 }, ids)).toThrow(/a day's work/);
  });

  it('leaves out running timers and empty entries', () => {
    expect(isRecordedWork(entry)).toBe(true);
    expect(isRecordedWork({ ...entry, is_running: true })).toBe(false);
    expect(isRecordedWork({ ...entry, hours: 0.001 })).toBe(false);
  });

  it('maps rates to minor units and treats excess precision as a platform error', () => {
    expect(entryRates(entry)).toEqual({
      billableRate: { amountMinor: 10000, currency: 'EUR' },
      costRate: { amountMinor: 5050, currency: 'EUR' },
    });
    expect(entryRates({ ...entry, client: { ...entry.client, currency: 'KWD' }, billable_rate: 45.125 }).billableRate).toEqual({
      amountMinor: 45125,
      currency: 'KWD',
    });
    expect(() => entryRates({ ...entry, billable_rate: 100.005 })).toThrow(/not representable in EUR/);
    expect(entryRates({ ...entry, billable_rate: null }).billableRate).toBeUndefined();
  });

  it('turns task names into role codes', () => {
    expect(roleCode('Senior Consultant')).toBe('senior-consultant');
    expect(roleCode('Project Management')).toBe('project-management');
    expect(roleCode(null)).toBe('unspecified');
  });
});

describe('time mapping: expenses, approvals, filters', () => {
  it('maps expenses with the client currency minor units', () => {
    const e = harvestExpenseToExpense(expense, { ...ids, id: 'ex-1' });
    expect(e).toEqual({
      id: 'ex-1',
      engagementId: 'eng-1',
      resourceId: 'res-1',
      incurredOn: '2025-03-04',
      category: 'meals',
      amount: { amountMinor: 3300, currency: 'JPY' },
      billable: true,
      description: 'Team lunch',
      approvalStatus: 'draft',
      billingStatus: 'unbilled',
      updatedAt: '2025-03-04T12:00:00Z',
    });
    expect(moneyToHarvest(e.amount, 'JPY')).toBe(3300);
    expect(harvestExpenseToExpense({ ...expense, total_cost: 13.59, client: { ...expense.client, currency: 'USD' } }, ids).amount).toEqual({
      amountMinor: 1359,
      currency: 'USD',
    });
    expect(harvestExpenseToExpense({ ...expense, total_cost: 1.235, client: { ...expense.client, currency: 'BHD' } }, ids).amount).toEqual({
      amountMinor: 1235,
      currency: 'BHD',
    });
    expect(() => harvestExpenseToExpense({ ...expense, total_cost: 10.5 }, ids)).toThrow(/not representable in JPY/);
    expect(() => moneyToHarvest({ amountMinor: 100, currency: 'EUR' }, 'USD')).toThrow(/bills in USD/);
  });

  it('maps expense categories', () => {
    expect(expenseCategoryToCanonical('Travel')).toBe('travel');
    expect(expenseCategoryToCanonical('Mileage')).toBe('travel');
    expect(expenseCategoryToCanonical('Hotel')).toBe('lodging');
    expect(expenseCategoryToCanonical('Office Supplies')).toBe('materials');
    expect(expenseCategoryToCanonical('Books')).toBe('other');
  });

  it('reads approval from is_closed: Harvest reports approved or not, never submitted', () => {
    expect(approvalStatusOf({ is_closed: true })).toBe('approved');
    expect(approvalStatusOf({ is_closed: false })).toBe('draft');
    expect(harvestExpenseToExpense(expense, ids).approvalStatus, 'an expense not closed is a draft').toBe('draft');
  });

  it('normalises timestamps and updated_since', () => {
    expect(harvestEntryToTimeEntry({ ...entry, updated_at: '2025-03-04T10:00:00+01:00' }, ids).updatedAt).toBe('2025-03-04T09:00:00Z');
    expect(updatedSinceParam('2025-03-04T10:00:00+01:00')).toBe('2025-03-04T09:00:00.000Z');
    expect(updatedSinceParam(undefined)).toBeUndefined();
    expect(() => updatedSinceParam('last week')).toThrow(ProblemError);
    expect(() => harvestEntryToTimeEntry({ ...entry, created_at: 'x', updated_at: 'garbage' }, ids)).toThrow(ProblemError);
  });
});
