// Quantities of recorded work, exact: hours as an integer count of hundredths (117 = 1.17 h),
// the precision the time platform records them at, carried unrounded from the platform to the invoice.
import { decimalToScaled, MoneyError, mulDivRounded, scaledToDecimalString } from './money.js';

/** Decimal places of recorded hours: the time platform keeps two (1.17 h). */
export const HOURS_SCALE = 2;

/** Hundredths of an hour in a day: no entry records more. */
export const MAX_HUNDREDTHS_PER_DAY = 24 * 100;

/**
 * Decimal hours ("19.92", 19.92) as integer hundredths, exactly. More than two decimals throw
 * unless `rounding` is given (a platform's live figure, such as a running timer, before it saves).
 */
export function hoursToHundredths(hours: string | number, opts: { rounding?: 'half-away-from-zero' } = {}): number {
  const value = decimalToScaled(hours, HOURS_SCALE, { ...opts, what: 'Hours' });
  if (value < 0) throw new MoneyError(`Hours must not be negative, got ${JSON.stringify(hours)}.`);
  return value;
}

/** Hundredths of an hour as the decimal string the contracts carry ("19.92", "1.50"). */
export function hundredthsToHours(hundredths: number): string {
  return scaledToDecimalString(hundredths, HOURS_SCALE);
}

/**
 * Hundredths of an hour as whole minutes, half away from zero (1.17 h → 70 min). Only for the
 * v1 fields that speak minutes (durations shown to people, waiting work): never priced.
 */
export function hundredthsToMinutes(hundredths: number): number {
  return mulDivRounded(hundredths, 60, 100);
}

/** Whole minutes as hundredths of an hour when they are exact (90 min → 150), else undefined (70 min). */
export function minutesToHundredths(minutes: number): number | undefined {
  return Number.isSafeInteger(minutes) && (minutes * 100) % 60 === 0 ? (minutes * 100) / 60 : undefined;
}
