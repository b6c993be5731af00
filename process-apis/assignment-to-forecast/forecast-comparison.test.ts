// The forecast check's comparisons without platforms: which finding each difference makes, its
// key, records and money at risk, and the conflicts compared on the platform's load and capacity.
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../system-apis/scheduling/canonical.js';
import { compareConflicts } from './conflict-comparison.js';
import { compareAssignment, ratesByRole, removedAssignment, totalMinutes } from './forecast-comparison.js';
import type { AtfAssignmentsTable, AtfConflictsTable } from './schema.js';

const platform: Assignment = {
  id: 'asg-1',
  engagementId: 'eng-1',
  resourceId: 'res-1',
  role: 'consultant',
  startDate: '2026-11-30',
  endDate: '2026-12-04',
  minutesPerWeek: 1_200,
  status: 'confirmed',
  updatedAt: '2026-11-20T10:00:00Z',
};
const snapshot: AtfAssignmentsTable = {
  assignment_id: 'asg-1',
  engagement_id: 'eng-1',
  resource_id: 'res-1',
  role: 'consultant',
  start_date: '2026-11-30',
  end_date: '2026-12-04',
  minutes_per_week: 1_200,
  status: 'confirmed',
  capacity_minutes: 2_400,
  rate_minor: 16_000,
  currency: 'EUR',
  updated_at_ms: 0,
  source_updated_ms: 0,
};
const rates = ratesByRole([snapshot]);

describe('compareAssignment', () => {
  it('finds nothing when the forecast holds what Scheduling books', () => {
    expect(compareAssignment(platform, snapshot, rates)).toBeUndefined();
  });

  it('counts a cancelled snapshot of a live assignment as missing, at the role’s rate on the engagement', () => {
    const finding = compareAssignment(platform, { ...snapshot, status: 'cancelled' }, rates)!;
    expect([finding.type, finding.key]).toEqual(['assignment-not-in-forecast', 'asg-1']);
    expect(finding.moneyAtRisk, '20 h at 160.00').toEqual({ amountMinor: 320_000, currency: 'EUR' });
    expect(compareAssignment({ ...platform, role: 'partner' }, undefined, rates)!.moneyAtRisk, 'no rate known for the role').toBeNull();
  });

  it('keys differing hours by both sides, so a dismissed difference that changes again is new', () => {
    const first = compareAssignment({ ...platform, minutesPerWeek: 1_500 }, snapshot, rates)!;
    const again = compareAssignment({ ...platform, minutesPerWeek: 1_800 }, snapshot, rates)!;
    expect(first.type).toBe('forecast-hours-differ');
    expect(first.key).not.toBe(again.key);
    expect(first.moneyAtRisk, '5 h more at 160.00').toEqual({ amountMinor: 80_000, currency: 'EUR' });
    const unpriced = compareAssignment({ ...platform, endDate: '2026-12-03' }, { ...snapshot, rate_minor: null, currency: null }, rates)!;
    expect([unpriced.type, unpriced.moneyAtRisk]).toEqual(['forecast-hours-differ', null]);
  });

  it('names both resources of an assignment booked on someone else', () => {
    const finding = compareAssignment({ ...platform, resourceId: 'res-2' }, snapshot, rates)!;
    expect(finding.type).toBe('forecast-assignment-differs');
    expect(finding.records.filter((r) => r.entity === 'resource').map((r) => r.id)).toEqual(['res-2', 'res-1']);
    expect(finding.key.length).toBeLessThanOrEqual(300);
  });
});

describe('removedAssignment', () => {
  it('puts the revenue the forecast still counts at risk and proposes a cancellation', () => {
    const finding = removedAssignment(snapshot);
    expect(finding.moneyAtRisk).toEqual({ amountMinor: 320_000, currency: 'EUR' });
    expect(finding.repair).toMatchObject({ safe: true, action: 'cancel-in-forecast' });
    expect(totalMinutes({ startDate: '2026-11-30', endDate: '2026-12-06', minutesPerWeek: 1_200 }), 'a weekend books nothing').toBe(1_200);
  });
});

describe('compareConflicts', () => {
  const conflict: AtfConflictsTable = {
    id: 'c-1',
    resource_id: 'res-1',
    week_start: '2026-11-30',
    capacity_minutes: 1_000,
    assigned_minutes: 1_200,
    assignment_ids: JSON.stringify(['asg-gone']),
    status: 'open',
    detected_at_ms: 0,
  };

  it('flags a week over the platform’s capacity that the layer has not, and leaves a justified conflict alone', () => {
    const base = { assignments: [platform], openConflicts: [], skipResources: new Set<string>() };
    expect(compareConflicts({ ...base, capacities: new Map([['res-1', 2_400]]) })).toEqual([]);
    const over = compareConflicts({ ...base, capacities: new Map([['res-1', 1_000]]) });
    expect(over.map((f) => [f.type, f.key])).toEqual([['over-allocation-not-flagged', 'res-1|2026-11-30']]);
    expect(compareConflicts({ ...base, openConflicts: [conflict], capacities: new Map([['res-1', 1_000]]) })).toEqual([]);
    expect(compareConflicts({ ...base, capacities: new Map([['res-1', 1_000]]), skipResources: new Set(['res-1']) })).toEqual([]);
  });

  it('cancels a conflict’s own assignment when the resource has none left on the platform', () => {
    const [stale] = compareConflicts({ assignments: [], openConflicts: [conflict], capacities: new Map(), skipResources: new Set() });
    expect([stale!.type, stale!.repair.action, stale!.records[1]!.id]).toEqual([
      'stale-over-allocation-flag',
      'cancel-in-forecast',
      'asg-gone',
    ]);
  });
});
