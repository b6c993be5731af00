// Billing periods as the API names them (first and last day) and as the store keys them.
import { ProblemError } from '../../core/problems.js';
import type { BillingPeriod } from '../kit/billing-model.js';
import { monthlyPeriod } from '../kit/rating.js';

export interface BillingRunInput {
  periodStart: string;
  periodEnd: string;
  engagementId?: string;
  trigger: 'api' | 'event' | 'schedule' | 'replay';
}

/** A calendar month is keyed `YYYY-MM`; any other span `YYYYMMDD-YYYYMMDD`. */
export function billingPeriod(periodStart: string, periodEnd: string): BillingPeriod {
  if (periodEnd < periodStart) {
    throw new ProblemError('validation-failed', {
      detail: 'periodEnd is before periodStart.',
      errors: [{ pointer: '/periodEnd', detail: 'must not be before periodStart' }],
    });
  }
  const month = monthlyPeriod(periodStart);
  if (month.start === periodStart && month.end === periodEnd) return month;
  return { key: `${periodStart.replaceAll('-', '')}-${periodEnd.replaceAll('-', '')}`, start: periodStart, end: periodEnd };
}

/** The calendar month before the one containing `today` (what the schedule bills). */
export function previousMonth(today: string): BillingPeriod {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10);
  return monthlyPeriod(first);
}

export function engagementRunKey(engagementId: string, period: BillingPeriod): string {
  // `<subject>#<n>` is the run-key shape the shared run queries filter by subject.
  return `${engagementId}#${period.key}`;
}

/** A further invoice's run of a billed period, keyed by what asked for it (a finding, a day's late approvals). */
export function leftBehindRunKey(engagementId: string, period: BillingPeriod, repairKey: string): string {
  return `${engagementRunKey(engagementId, period)}:${repairKey}`;
}
