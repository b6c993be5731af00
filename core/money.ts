// Money conversion between vendor decimals and canonical integer minor units, per
// ISO 4217 minor units. Works on decimal strings, never on float arithmetic.
import { ProblemError } from './problems.js';

/** ISO 4217 currencies whose minor unit is not 2. Every other code defaults to 2. */
const MINOR_UNITS_EXCEPTIONS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export interface Money {
  amountMinor: number;
  currency: string;
}

const CURRENCY = /^[A-Z]{3}$/;
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Number of decimal places of the currency's minor unit (JPY 0, EUR 2, KWD 3). */
export function minorUnits(currency: string): number {
  if (!CURRENCY.test(currency)) {
    throw new ProblemError('validation-failed', { detail: `Not an ISO 4217 currency code: ${JSON.stringify(currency)}` });
  }
  return MINOR_UNITS_EXCEPTIONS[currency] ?? 2;
}

export type RoundingMode =
  /** Reject amounts with more decimals than the currency allows (no silent data loss). */
  | 'exact'
  /** Round half away from zero to the currency's minor unit. */
  | 'half-away-from-zero';

function decimalText(amount: string | number): string {
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw new ProblemError('validation-failed', { detail: `Amount is not finite: ${amount}` });
    const text = String(amount);
    // Very small or large numbers print in exponent form; fixed notation keeps the digits.
    return /e/i.test(text) ? amount.toFixed(20).replace(/\.?0+$/, '') : text;
  }
  return amount.trim();
}

/**
 * Converts a vendor decimal ("1250.50", 1250.5) to integer minor units of `currency`.
 * `exact` (default) throws when the amount carries more precision than the currency has;
 * `half-away-from-zero` rounds it (1.005 EUR → 101, -1.005 EUR → -101).
 */
export function toMinor(amount: string | number, currency: string, mode: RoundingMode = 'exact'): number {
  const units = minorUnits(currency);
  const text = decimalText(amount);
  const match = DECIMAL.exec(text);
  if (!match) throw new ProblemError('validation-failed', { detail: `Not a decimal amount: ${JSON.stringify(text)}` });
  const [, sign, whole, fraction = ''] = match;
  let kept = fraction.slice(0, units).padEnd(units, '0');
  const dropped = fraction.slice(units);
  let minor = BigInt(whole + kept);
  if (/[1-9]/.test(dropped)) {
    if (mode === 'exact') {
      throw new ProblemError('validation-failed', {
        detail: `Amount ${text} has more than ${units} decimal place(s) allowed for ${currency}`,
      });
    }
    if (dropped.charCodeAt(0) >= 53 /* '5' */) minor += 1n;
  }
  kept = '';
  const signed = sign === '-' ? -minor : minor;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProblemError('validation-failed', { detail: `Amount ${text} ${currency} is too large` });
  }
  return Number(signed) || 0; // normalises -0
}

/** Formats integer minor units as a decimal string with the currency's places (12550 EUR → "125.50"). */
export function fromMinor(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new ProblemError('validation-failed', { detail: `Minor-unit amount must be a safe integer, got ${amountMinor}` });
  }
  const units = minorUnits(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(units + 1, '0');
  const whole = digits.slice(0, digits.length - units);
  const fraction = digits.slice(digits.length - units);
  return `${negative ? '-' : ''}${whole}${units > 0 ? `.${fraction}` : ''}`;
}

/** Like fromMinor, as a JSON number for vendors that take numeric amounts (exact for safe magnitudes). */
export function fromMinorNumber(amountMinor: number, currency: string): number {
  return Number(fromMinor(amountMinor, currency));
}
