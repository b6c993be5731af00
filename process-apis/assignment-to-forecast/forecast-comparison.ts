// The comparison behind the `assignments-forecast` check, without I/O: the scheduling platform's
// assignments (on engagements the layer forecasts) against the forecast's snapshots of them.
import { money, multiplyMinutesByRate, type Money } from '../../core/money.js';
import type { Assignment } from '../../system-apis/scheduling/canonical.js';
import type { Finding, RecordRef } from '../kit/reconciliation.js';
import type { AtfAssignmentsTable } from './schema.js';
import { bookedMinutes, weekStart, type Booking } from './weeks.js';

export const FORECAST_FINDINGS = {
  notInForecast: 'assignment-not-in-forecast',
  hoursDiffer: 'forecast-hours-differ',
  assignmentDiffers: 'forecast-assignment-differs',
  removed: 'forecast-for-removed-assignment',
} as const;

const BASE = '/process/assignment-to-forecast/v1';

/** Total minutes a booking plans over its whole period. */
export function totalMinutes(b: Booking): number {
  let sum = 0;
  for (const minutes of bookedMinutes(b, weekStart).values()) sum += minutes;
  return sum;
}

const hours = (minutes: number) => `${(minutes / 60).toFixed(2)} h`;

export const snapshotBooking = (s: AtfAssignmentsTable): Booking => ({
  startDate: s.start_date,
  endDate: s.end_date,
  minutesPerWeek: Number(s.minutes_per_week),
});

/**
 * A scheduling record by its canonical id (the check puts the platform's own id in `id` before it
 * reports). No link: Float has no page per allocation, person or project to point at.
 */
export function schedulingRecord(entity: 'assignment' | 'project' | 'resource', id: string, label?: string): RecordRef {
  return { platform: 'scheduling', entity, id, canonicalId: id, ...(label ? { label } : {}), url: null };
}

/** The records of one assignment: on the platform, and in the layer's forecast (its process API's view). */
export function assignmentRecords(a: { id: string; engagementId: string; resourceId: string; label: string }): RecordRef[] {
  return [
    schedulingRecord('assignment', a.id, a.label),
    schedulingRecord('project', a.engagementId),
    schedulingRecord('resource', a.resourceId),
    { platform: 'layer', entity: 'assignment', id: a.id, canonicalId: a.id, label: 'forecast', url: `${BASE}/forecasts/${a.engagementId}` },
  ];
}

const labelOf = (a: { role: string; startDate: string; endDate: string }) => `${a.role} ${a.startDate}..${a.endDate}`;

/** Rates the forecast holds, per engagement and role: what a missing assignment of the same role would earn. */
export function ratesByRole(snapshots: Iterable<AtfAssignmentsTable>): Map<string, { minor: number; currency: string }> {
  const rates = new Map<string, { minor: number; currency: string }>();
  for (const s of snapshots)
    if (s.rate_minor !== null && s.currency)
      rates.set(`${s.engagement_id}|${s.role}`, { minor: Number(s.rate_minor), currency: s.currency });
  return rates;
}

const atRate = (minutes: number, rate: { minor: number; currency: string } | undefined): Money | null =>
  rate ? money(multiplyMinutesByRate(minutes, rate.minor), rate.currency) : null;

const resync = (what: string) => ({
  safe: true,
  action: 'resync-assignment',
  description: `Run assignment-to-forecast for the assignment: it reads the assignment as Scheduling has it now and ${what}.`,
});

/** Compares one platform assignment with the forecast's snapshot of it (none: not forecast). */
export function compareAssignment(
  a: Assignment,
  snapshot: AtfAssignmentsTable | undefined,
  rates: Map<string, { minor: number; currency: string }>,
): Finding | undefined {
  const platformMinutes = totalMinutes(a);
  const records = assignmentRecords({ ...a, label: labelOf(a) });
  const since = new Date(a.updatedAt);
  if (!snapshot || snapshot.status === 'cancelled') {
    return {
      type: FORECAST_FINDINGS.notInForecast,
      key: a.id,
      title: `Assignment ${labelOf(a)} is on the scheduling platform but not in the forecast`,
      detail: `Scheduling books ${hours(platformMinutes)} (${a.minutesPerWeek} min/week, ${a.status}); the forecast ${
        snapshot ? 'holds it as cancelled' : 'does not hold it'
      }.`,
      records,
      moneyAtRisk: atRate(platformMinutes, rates.get(`${a.engagementId}|${a.role}`)),
      since,
      repair: resync('adds it to the forecast'),
      run: null,
    };
  }
  const forecastMinutes = totalMinutes(snapshotBooking(snapshot));
  const datesOrHours =
    snapshot.start_date !== a.startDate || snapshot.end_date !== a.endDate || Number(snapshot.minutes_per_week) !== a.minutesPerWeek;
  if (datesOrHours) {
    const rate =
      snapshot.rate_minor === null || !snapshot.currency ? undefined : { minor: Number(snapshot.rate_minor), currency: snapshot.currency };
    return {
      type: FORECAST_FINDINGS.hoursDiffer,
      key: `${a.id}|${a.startDate}|${a.endDate}|${a.minutesPerWeek}|${snapshot.start_date}|${snapshot.end_date}|${snapshot.minutes_per_week}`,
      title: `Forecast hours of assignment ${labelOf(a)} differ from Scheduling`,
      detail:
        `Scheduling: ${a.startDate}..${a.endDate}, ${a.minutesPerWeek} min/week, ${hours(platformMinutes)} in all; ` +
        `forecast: ${snapshot.start_date}..${snapshot.end_date}, ${snapshot.minutes_per_week} min/week, ${hours(forecastMinutes)} in all.`,
      records,
      moneyAtRisk: atRate(Math.abs(platformMinutes - forecastMinutes), rate),
      since,
      repair: resync('saves those hours in the forecast'),
      run: null,
    };
  }
  const differs: string[] = [];
  if (snapshot.engagement_id !== a.engagementId) differs.push(`engagement ${a.engagementId} vs ${snapshot.engagement_id}`);
  if (snapshot.resource_id !== a.resourceId) differs.push(`resource ${a.resourceId} vs ${snapshot.resource_id}`);
  if (snapshot.role !== a.role) differs.push(`role ${a.role} vs ${snapshot.role}`);
  if (snapshot.status !== a.status) differs.push(`status ${a.status} vs ${snapshot.status}`);
  if (differs.length === 0) return undefined;
  const previous: RecordRef[] =
    snapshot.resource_id === a.resourceId
      ? []
      : [
          {
            ...records[2]!,
            id: snapshot.resource_id,
            canonicalId: snapshot.resource_id,
            url: `/system/scheduling/v1/resources/${snapshot.resource_id}`,
          },
        ];
  return {
    type: FORECAST_FINDINGS.assignmentDiffers,
    key: `${a.id}|${a.engagementId}|${a.resourceId}|${a.role}|${a.status}|${snapshot.resource_id}|${snapshot.role}|${snapshot.status}`.slice(
      0,
      300,
    ),
    title: `Assignment ${labelOf(a)} is booked differently in the forecast`,
    detail: `Scheduling vs forecast: ${differs.join('; ')}.`,
    records: [...records, ...previous],
    moneyAtRisk: null,
    since,
    repair: resync('saves who, what and how firmly it books in the forecast (and the resource’s conflicts)'),
    run: null,
  };
}

/** A live forecast snapshot whose assignment the platform no longer lists. */
export function removedAssignment(snapshot: AtfAssignmentsTable): Finding {
  const minutes = totalMinutes(snapshotBooking(snapshot));
  const booking = { role: snapshot.role, startDate: snapshot.start_date, endDate: snapshot.end_date };
  return {
    type: FORECAST_FINDINGS.removed,
    key: snapshot.assignment_id,
    title: `The forecast still counts assignment ${labelOf(booking)}, which Scheduling no longer has`,
    detail: `The forecast plans ${hours(minutes)} (${snapshot.minutes_per_week} min/week, ${snapshot.status}); Scheduling lists no such assignment.`,
    records: assignmentRecords({
      id: snapshot.assignment_id,
      engagementId: snapshot.engagement_id,
      resourceId: snapshot.resource_id,
      label: labelOf(booking),
    }),
    moneyAtRisk:
      snapshot.rate_minor === null || !snapshot.currency
        ? null
        : money(multiplyMinutesByRate(minutes, Number(snapshot.rate_minor)), snapshot.currency),
    repair: {
      safe: true,
      action: 'cancel-in-forecast',
      description:
        'Run assignment-to-forecast as a cancellation: it finds the assignment gone from Scheduling, marks it cancelled in the forecast and resolves the conflicts it caused.',
    },
    run: null,
  };
}
