// Rating: each approved billable entry priced by the rate card in force on its work date.
// An entry that cannot be rated is an exception to report, never silently dropped or zero-priced.
import { hoursToHundredths, minutesToHundredths } from '../../core/hours.js';
import { multiplyHundredthsByRate } from '../../core/money.js';
import type { BillableTimeEntry, BillingPeriod, RateCard, RateCardRate } from './billing-model.js';

export interface RatedEntry {
  entry: BillableTimeEntry;
  rate: RateCardRate;
}

export interface RatingException {
  entryId: string;
  reason: 'no-rate-for-role-on-date' | 'ambiguous-rate' | 'invalid-duration';
  detail: string;
}

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An entry's recorded hours in hundredths: `durationHours` as the platform recorded it; from a
 * record without it, whole minutes only when they are exact hundredths (90 min), else NaN, which
 * rating reports as an invalid duration rather than billing a rounding.
 */
export function hundredthsOfEntry(entry: { durationHours?: string; durationMinutes: number }): number {
  if (entry.durationHours !== undefined) return hoursToHundredths(entry.durationHours);
  return minutesToHundredths(entry.durationMinutes) ?? Number.NaN;
}

/** What rated entries come to in minor units, each priced on its own: hours × hourly rate, rounded once. */
export function ratedAmountMinor(rated: readonly RatedEntry[]): number {
  return rated.reduce((sum, r) => sum + multiplyHundredthsByRate(r.entry.hoursHundredths, r.rate.hourlyRateMinor), 0);
}

/** The rate for a role on a work date; ambiguity (two rates in force) is an error in the card. */

export function rateFor(card: RateCard, role: string, workDate: string): RateCardRate | RatingException['reason'] {
  const inForce = card.rates.filter(
    (r) => r.role === role && r.effectiveFrom <= workDate && (r.effectiveTo === undefined || workDate <= r.effectiveTo),
  );
  if (inForce.length === 0) return 'no-rate-for-role-on-date';
  if (inForce.length > 1) return 'ambiguous-rate';
  return inForce[0];
}

export function rateEntries(entries: readonly BillableTimeEntry[], card: RateCard): { rated: RatedEntry[]; exceptions: RatingException[] } {
  const rated: RatedEntry[] = [];
  const exceptions: RatingException[] = [];
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.hoursHundredths) || entry.hoursHundredths <= 0 || !PLAIN_DATE.test(entry.workDate)) {
      exceptions.push({
        entryId: entry.id,
        reason: 'invalid-duration',
        detail: `Entry ${entry.id} has no positive hours in hundredths or no plain work date.`,
      });
      continue;
    }
    const rate = rateFor(card, entry.role, entry.workDate);
    if (typeof rate === 'string') {
      exceptions.push({
        entryId: entry.id,
        reason: rate,
        detail:
          rate === 'ambiguous-rate'
            ? `Rate card ${card.id} has overlapping rates for role "${entry.role}" on ${entry.workDate}.`
            : `Rate card ${card.id} has no rate for role "${entry.role}" on ${entry.workDate}.`,
      });
      continue;
    }
    rated.push({ entry, rate });
  }
  return { rated, exceptions };
}

/** Calendar-month billing period containing a plain date. */
export function monthlyPeriod(date: string): BillingPeriod {
  if (!PLAIN_DATE.test(date)) throw new RangeError(`Not a plain date: ${date}`);
  const [year, month] = date.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, '0');
  return { key: `${year}-${mm}`, start: `${year}-${mm}-01`, end: `${year}-${mm}-${String(lastDay).padStart(2, '0')}` };
}

/**
 * What a billing run for `period` picks up: every approved, billable, unbilled entry worked on or
 * before the period's end. An entry approved late for an already-billed period is therefore on the
 * next run's invoice instead of being lost.
 */
export function selectBillableEntries(entries: readonly BillableTimeEntry[], period: BillingPeriod): BillableTimeEntry[] {
  return entries.filter((e) => e.approved && e.billable && !e.billed && e.workDate <= period.end);
}
