// Money as integer minor units plus an ISO 4217 currency: exact decimal conversion
// (string and BigInt arithmetic, never floats), rounding per currency, and allocation.
import { ProblemError } from './problems.js';

export interface Money {
  amountMinor: number;
  currency: string;
}

/**
 * Rounding modes. `half-away-from-zero` (commercial rounding: 0.5 → 1, -0.5 → -1) is what
 * invoicing systems apply per line; `half-even` (banker's) avoids upward drift over many sums.
 */
export type RoundingMode = 'half-away-from-zero' | 'half-even';

/**
 * The one rounding rule for every figure the layer computes in money (a line's quantity × rate,
 * a tax amount): round once, to the currency's minor unit, half away from zero. Why this mode:
 * it is what the ERP applies when it computes a line amount or a tax amount itself (NetSuite's
 * "Round off" tax rounding method, the nearest minor unit with halves going up), so the figure
 * the layer predicts is the figure ERP holds; and commercial rounding is what VAT and sales-tax
 * rules expect on an invoice. Half-even would drift less over millions of sums, but each figure
 * here is rounded exactly once and agreement with ERP matters more.
 */
export const MONEY_ROUNDING: RoundingMode = 'half-away-from-zero';

/** A money rule broken by the input (unknown currency, too much precision, mixed currencies): 422. */
export class MoneyError extends ProblemError {
  constructor(detail: string) {
    super('unprocessable-content', { detail });
    this.name = 'MoneyError';
  }
}

/**
 * ISO 4217 minor units. Every active code is listed so that an unknown or misspelt code is
 * refused rather than silently treated as 2 decimals.
 */
const ZERO_DECIMALS = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
];
const THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const FOUR_DECIMALS = ['CLF', 'UYW'];
const TWO_DECIMALS = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CNY',
  'COP',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'UYU',
  'UZS',
  'VES',
  'WST',
  'XCD',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
];

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...ZERO_DECIMALS.map((c) => [c, 0] as const),
  ...TWO_DECIMALS.map((c) => [c, 2] as const),
  ...THREE_DECIMALS.map((c) => [c, 3] as const),
  ...FOUR_DECIMALS.map((c) => [c, 4] as const),
]);

export function isKnownCurrency(currency: string): boolean {
  return MINOR_UNITS.has(currency);
}

/** The number of decimal digits of the currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function minorUnits(currency: string): number {
  const units = MINOR_UNITS.get(currency);
  if (units === undefined) throw new MoneyError(`Not a supported ISO 4217 currency code: ${JSON.stringify(currency)}.`);
  return units;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const EXPONENT = /^([+-])?(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/;

interface Decimal {
  negative: boolean;
  /** All digits without the point: value = digits / 10^scale. */
  digits: bigint;
  scale: number;
}

/** Parses a decimal string or a JS number into an exact digits/scale pair. */
function parseDecimal(value: string | number): Decimal {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyError(`Amount ${value} is not a finite number.`);
    // String(n) is the shortest text that round-trips: the decimal the sender wrote.
    text = String(value);
  } else {
    text = String(value).trim();
  }
  const plain = DECIMAL.exec(text);
  if (plain) {
    const [, sign, int, frac = ''] = plain;
    return { negative: sign === '-', digits: BigInt(int + frac), scale: frac.length };
  }
  const exp = EXPONENT.exec(text);
  if (exp && Math.abs(Number(exp[4])) <= 400) {
    const [, sign, int, frac = '', e] = exp;
    let digits = BigInt(int + frac);
    let scale = frac.length - Number(e);
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return { negative: sign === '-', digits, scale };
  }
  throw new MoneyError(`Amount ${JSON.stringify(value)} is not a decimal number.`);
}

/** Divides a non-negative numerator by a positive denominator with the given rounding. */
function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  if (mode === 'half-away-from-zero') return quotient + 1n;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MoneyError(`${what} is too large to represent exactly.`);
  }
  return Number(value) || 0; // normalises -0
}

function assertSafeMinor(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor)) throw new MoneyError(`Minor-unit amount must be a safe integer, got ${amountMinor}.`);
}

/**
 * A decimal ("19.92", 19.92, "1e3") as an integer count of 10^-scale units, exactly: the one
 * parser behind money in minor units and quantities of work in hundredths of an hour. More
 * digits than `scale` throw (`tooPrecise` says why), unless `rounding` says how to round
 * (trailing zeros are not extra precision: "100.000" at scale 2 is 10000).
 */
export function decimalToScaled(
  value: string | number,
  scale: number,
  opts: { rounding?: RoundingMode; what?: string; tooPrecise?: string } = {},
): number {
  const what = `${opts.what ?? 'Value'} ${JSON.stringify(value)}`;
  const dec = parseDecimal(value);
  let scaled: bigint;
  if (dec.scale <= scale) {
    scaled = dec.digits * 10n ** BigInt(scale - dec.scale);
  } else {
    const divisor = 10n ** BigInt(dec.scale - scale);
    if (dec.digits % divisor !== 0n && !opts.rounding) {
      throw new MoneyError(opts.tooPrecise ?? `${what} has more than ${scale} decimal place(s) allowed.`);
    }
    scaled = divideRounded(dec.digits, divisor, opts.rounding ?? MONEY_ROUNDING);
  }
  return toSafeNumber(dec.negative ? -scaled : scaled, what);
}

/** An integer count of 10^-scale units as a plain decimal string with exactly `scale` digits ("19.92", "1000"). */
export function scaledToDecimalString(value: number, scale: number): string {
  assertSafeMinor(value);
  const digits = Math.abs(value)
    .toString()
    .padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return value < 0 ? `-${text}` : text;
}

/**
 * Converts a decimal amount ("1234.5", 1234.5, "1e3") to integer minor units, exactly.
 * More digits than the currency allows throw, unless `rounding` says how to round
 * (trailing zeros are not extra precision: "100.000" EUR is 10000).
 */
export function decimalToMinor(value: string | number, currency: string, opts: { rounding?: RoundingMode } = {}): number {
  const units = minorUnits(currency);
  return decimalToScaled(value, units, {
    ...opts,
    what: 'Amount',
    tooPrecise: `Amount ${JSON.stringify(value)} has more than ${units} decimal place(s) allowed for ${currency}.`,
  });
}

/** Formats minor units as a plain decimal string with exactly the currency's digits ("1234.50", "1000"). */
export function minorToDecimalString(amountMinor: number, currency: string): string {
  return scaledToDecimalString(amountMinor, minorUnits(currency));
}

/** Minor units as a JSON number, for vendor APIs that insist on numbers (exact for safe amounts). */
export function minorToDecimalNumber(amountMinor: number, currency: string): number {
  return Number(minorToDecimalString(amountMinor, currency));
}

/** Builds a checked Money value. */
export function money(amountMinor: number, currency: string): Money {
  assertSafeMinor(amountMinor);
  minorUnits(currency);
  return { amountMinor, currency };
}

/** Adds amounts of one currency; mixing currencies throws. */
export function addMoney(first: Money, ...rest: Money[]): Money {
  let total = BigInt(first.amountMinor);
  for (const m of rest) {
    if (m.currency !== first.currency) throw new MoneyError(`Cannot add ${m.currency} to ${first.currency}.`);
    total += BigInt(m.amountMinor);
  }
  return { amountMinor: toSafeNumber(total, 'Sum'), currency: first.currency };
}

/**
 * a × b / divisor in BigInt (no overflow for any safe integers), rounded once by `rounding`
 * (MONEY_ROUNDING unless a caller documents another): every computed money figure goes through here.
 */
export function mulDivRounded(a: number, b: number, divisor: number, rounding: RoundingMode = MONEY_ROUNDING): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(divisor) || divisor <= 0) {
    throw new MoneyError('Quantities, prices and divisors must be integers (the divisor positive).');
  }
  const product = BigInt(a) * BigInt(b);
  const negative = product < 0n;
  const rounded = divideRounded(negative ? -product : product, BigInt(divisor), rounding);
  return toSafeNumber(negative ? -rounded : rounded, 'Computed amount');
}

/** Prices hundredths of an hour at an hourly rate in minor units: hundredths × rate / 100, rounded once. */
export function multiplyHundredthsByRate(hundredths: number, hourlyRateMinor: number, rounding: RoundingMode = MONEY_ROUNDING): number {
  return mulDivRounded(hundredths, hourlyRateMinor, 100, rounding);
}

/**
 * Prices worked minutes at an hourly rate in minor units: minutes × rate / 60, rounded once.
 * For durations a platform records in minutes (bookings, forecasts); recorded time is priced in
 * the hundredths of an hour its platform keeps (multiplyHundredthsByRate).
 */
export function multiplyMinutesByRate(minutes: number, hourlyRateMinor: number, rounding: RoundingMode = MONEY_ROUNDING): number {
  return mulDivRounded(minutes, hourlyRateMinor, 60, rounding);
}

/** Tax at `rateBp` basis points on a net amount in minor units, rounded once. */
export function taxOnNetMinor(netMinor: number, rateBp: number, rounding: RoundingMode = MONEY_ROUNDING): number {
  return mulDivRounded(netMinor, rateBp, 10_000, rounding);
}

/**
 * Splits a total in proportion to `ratios` without losing or inventing a minor unit
 * (largest remainder; ties go to the earlier share). Ratios may be decimals, not all zero.
 */
export function allocate(total: Money, ratios: Array<number | string>): Money[];
export function allocate(total: number, ratios: Array<number | string>): number[];
export function allocate(total: Money | number, ratios: Array<number | string>): Money[] | number[] {
  const amount = typeof total === 'number' ? total : total.amountMinor;
  assertSafeMinor(amount);
  if (ratios.length === 0) throw new MoneyError('Cannot allocate over no ratios.');
  const parsed = ratios.map(parseDecimal);
  if (parsed.some((r) => r.negative && r.digits !== 0n)) throw new MoneyError('Allocation ratios must not be negative.');
  const scale = Math.max(...parsed.map((r) => r.scale));
  const weights = parsed.map((r) => r.digits * 10n ** BigInt(scale - r.scale));
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new MoneyError('Allocation ratios must not all be zero.');

  const absTotal = BigInt(Math.abs(amount));
  const shares = weights.map((w) => (absTotal * w) / sum);
  let leftover = absTotal - shares.reduce((a, b) => a + b, 0n);
  const byRemainder = weights
    .map((w, index) => ({ index, remainder: (absTotal * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    shares[index] += 1n;
    leftover -= 1n;
  }
  const result = shares.map((s) => (amount < 0 ? -Number(s) || 0 : Number(s)));
  return typeof total === 'number' ? result : result.map((amountMinor) => ({ amountMinor, currency: total.currency }));
}
