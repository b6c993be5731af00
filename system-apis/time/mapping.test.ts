import { describe, expect, it } from 'vitest';
import {
  approvalStatusToCanonical,
  approvalStatusToHarvest,
  harvestApprovalToApproval,
  harvestEntryToTimeEntry,
  harvestExpenseToExpense,
  hoursToMinutes,
  minutesToHours,
  moneyToHarvest,
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
  task: { id: 8083365, name: 'Graphic Design' },
  hours: 2.11,
  hours_without_timer: 2.11,
  rounded_hours: 2.25,
  notes: 'Adding CSS styling',
  is_locked: true,
  locked_reason: 'Item Approved and Locked for this Time Period',
  approval_status: 'approved',
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
  approval_status: 'submitted',
  invoice: null,
  receipt: null,
  created_at: '2025-03-04T12:00:00Z',
  updated_at: '2025-03-04T12:00:00Z',
};

const ids = { id: 'te-1', resourceId: 'res-1', projectId: 'prj-1', clientId: 'cli-1' };

describe('time mapping', () => {
  it('maps a Harvest time entry to a canonical entry', () => {
    expect(harvestEntryToTimeEntry(entry, ids)).toEqual({
      id: 'te-1',
      workDate: '2025-03-03',
      durationMinutes: 127,
      notes: 'Adding CSS styling',
      billable: true,
      billed: false,
      locked: true,
      approvalStatus: 'approved',
      resource: { id: 'res-1', name: 'Kim Allen' },
      project: { id: 'prj-1', name: 'Marketing Website', code: 'MW' },
      client: { id: 'cli-1', name: '123 Industries' },
      activity: 'Graphic Design',
      billableRate: { amountMinor: 10000, currency: 'EUR' },
      costRate: { amountMinor: 5050, currency: 'EUR' },
      createdAt: '2025-03-03T21:05:12Z',
      updatedAt: '2025-03-04T09:00:00Z',
    });
  });

  it('uses round(hours × 60) for minutes and maps back without drift', () => {
    expect(hoursToMinutes(1.25)).toBe(75);
    expect(hoursToMinutes(0.01)).toBe(1);
    expect(hoursToMinutes(0.0083)).toBe(0); // 0.498 min
    expect(hoursToMinutes(0.00834)).toBe(1); // 0.5004 min
    for (let m = 0; m <= 24 * 60; m++) expect(hoursToMinutes(minutesToHours(m))).toBe(m);
    expect(() => hoursToMinutes(Number.NaN)).toThrow(ProblemError);
    expect(() => minutesToHours(1.5)).toThrow(ProblemError);
  });

  it('maps expenses with the client currency minor units', () => {
    const e = harvestExpenseToExpense(expense, { ...ids, id: 'ex-1' });
    expect(e.amount).toEqual({ amountMinor: 3300, currency: 'JPY' });
    expect(e.approvalStatus).toBe('submitted');
    expect(moneyToHarvest(e.amount, 'JPY')).toBe(3300);
    expect(harvestExpenseToExpense({ ...expense, total_cost: 13.59, client: { ...expense.client, currency: 'USD' } }, ids).amount).toEqual({ amountMinor: 1359, currency: 'USD' });
    expect(harvestExpenseToExpense({ ...expense, total_cost: 1.235, client: { ...expense.client, currency: 'KWD' } }, ids).amount).toEqual({ amountMinor: 1235, currency: 'KWD' });
  });

  it('treats amounts finer than the currency as a platform error, not a silent rounding', () => {
    expect(() => harvestExpenseToExpense({ ...expense, total_cost: 10.5 }, ids)).toThrow(/not representable in JPY/);
    expect(() => harvestEntryToTimeEntry({ ...entry, billable_rate: 100.005 }, ids)).toThrow(ProblemError);
    expect(() => moneyToHarvest({ amountMinor: 100, currency: 'EUR' }, 'USD')).toThrow(/bills in USD/);
  });

  it('maps the approval vocabulary both ways', () => {
    for (const s of ['unsubmitted', 'submitted', 'approved'] as const) {
      expect(approvalStatusToHarvest(approvalStatusToCanonical(s))).toBe(s);
    }
    expect(approvalStatusToCanonical('unsubmitted')).toBe('draft');
    expect(() => approvalStatusToCanonical('rejected')).toThrow(ProblemError);
    const approval = harvestApprovalToApproval(
      { user_id: 1, week_start: '2025-03-03', week_end: '2025-03-09', approval_status: 'approved', time_entry_ids: [1], expense_ids: [], updated_at: '2025-03-10T08:00:00.000Z' },
      { resourceId: 'res-1', timeEntryIds: ['te-1'], expenseIds: [] },
    );
    expect(approval).toEqual({ resourceId: 'res-1', weekStart: '2025-03-03', weekEnd: '2025-03-09', approvalStatus: 'approved', timeEntryIds: ['te-1'], expenseIds: [], updatedAt: '2025-03-10T08:00:00Z' });
  });

  it('normalises timestamps and updated_since', () => {
    expect(harvestEntryToTimeEntry({ ...entry, updated_at: '2025-03-04T10:00:00+01:00' }, ids).updatedAt).toBe('2025-03-04T09:00:00Z');
    expect(updatedSinceParam('2025-03-04T10:00:00+01:00')).toBe('2025-03-04T09:00:00.000Z');
    expect(() => updatedSinceParam('last week')).toThrow(ProblemError);
    expect(() => harvestEntryToTimeEntry({ ...entry, created_at: 'garbage' }, ids)).toThrow(ProblemError);
  });
});
