// The business figures as pure functions of what the platforms answered: days sales
// outstanding, billable utilisation, forecast accuracy and the money figures. No I/O here, so
// each definition can be read (and tested) on its own.
import { hoursToHundredths } from '../../core/hours.js';
import { minorToDecimalString, type Money } from '../../core/money.js';

export type FigureUnit = 'days' | 'ratio' | 'money' | 'count' | 'hours';

/** One figure of the executive page: what it is, its value, how it is computed and from what. */
export interface BusinessFigure {
  name: string;
  title: string;
  unit: FigureUnit;
  /** Days, ratio, count or hours; null when there was nothing to compute it from. */
  value: number | null;
  /** Money per currency (for money figures, and the money behind a count). */
  amounts: Money[];
  explanation: string;
  basis: string;
  /** Operations API path of the records behind the figure. */
  link: string | null;
}

/** The window a computation looks back over: plain dates, both included, `to` the day of the computation. */
export interface Window {
  from: string;
  to: string;
  days: number;
}

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function windowEnding(nowMs: number, days: number): Window {
  return { from: isoDate(nowMs - (days - 1) * DAY_MS), to: isoDate(nowMs), days };
}

/** Rounds a figure for display and storage: days and hours to 0.1, ratios to 0.0001. */
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** Per-currency sums, sorted by currency, zero amounts left out. */
export function sumByCurrency(amounts: Iterable<Money>): Money[] {
  const sums = new Map<string, number>();
  for (const m of amounts) sums.set(m.currency, (sums.get(m.currency) ?? 0) + m.amountMinor);
  return [...sums.entries()]
    .filter(([, minor]) => minor !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => ({ amountMinor, currency }));
}

const describeMoney = (amounts: Money[]) =>
  amounts.length ? amounts.map((m) => `${m.currency} ${minorToDecimalString(m.amountMinor, m.currency)}`).join(', ') : 'none';

/** "1 invoice", "3 invoices": the bases are read by people. */
export const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---- days sales outstanding -------------------------------------------------------------------

/** What DSO reads of an ERP invoice (the canonical Invoice has these fields). */
export interface InvoiceFacts {
  status: 'draft' | 'posted' | 'on-hold' | 'partially-paid' | 'paid' | 'void';
  currency: string;
  issueDate?: string;
  total: Money;
  amountOutstanding: Money;
}

/** Invoices issued to the client: posted, partly paid or paid. Drafts, invoices on hold and void ones are not receivables. */
const ISSUED = new Set<InvoiceFacts['status']>(['posted', 'partially-paid', 'paid']);
const OPEN = new Set<InvoiceFacts['status']>(['posted', 'partially-paid']);

export function dso(invoices: readonly InvoiceFacts[], window: Window): BusinessFigure {
  const perCurrency = new Map<string, { revenue: number; open: number; invoiced: number; openCount: number }>();
  const of = (currency: string) =>
    perCurrency.get(currency) ?? perCurrency.set(currency, { revenue: 0, open: 0, invoiced: 0, openCount: 0 }).get(currency)!;
  for (const invoice of invoices) {
    if (!ISSUED.has(invoice.status)) continue;
    if (invoice.issueDate && invoice.issueDate >= window.from && invoice.issueDate <= window.to) {
      of(invoice.currency).revenue += invoice.total.amountMinor;
      of(invoice.currency).invoiced++;
    }
    if (OPEN.has(invoice.status) && invoice.amountOutstanding.amountMinor > 0) {
      of(invoice.currency).open += invoice.amountOutstanding.amountMinor;
      of(invoice.currency).openCount++;
    }
  }
  // Per currency, DSO = open receivables / revenue invoiced in the window × the window's days;
  // across currencies (no exchange rates here) the mean of those, weighted by invoices issued.
  const rows = [...perCurrency.entries()].filter(([, c]) => c.revenue > 0).sort(([a], [b]) => a.localeCompare(b));
  const weights = rows.reduce((sum, [, c]) => sum + c.invoiced, 0);
  const perCurrencyDso = rows.map(([currency, c]) => [currency, (c.open / c.revenue) * window.days, c] as const);
  const value = weights === 0 ? null : round(perCurrencyDso.reduce((sum, [, days, c]) => sum + days * c.invoiced, 0) / weights, 1);
  const invoiced = rows.reduce((sum, [, c]) => sum + c.invoiced, 0);
  const open = [...perCurrency.values()].reduce((sum, c) => sum + c.openCount, 0);
  return {
    name: 'dso',
    title: 'Days sales outstanding',
    unit: 'days',
    value,
    amounts: sumByCurrency([...perCurrency.entries()].map(([currency, c]) => ({ amountMinor: c.open, currency }))),
    explanation:
      'Open receivables (what is still owed on posted and partly paid ERP invoices) divided by the revenue invoiced in the window ' +
      '(totals of invoices posted, partly paid or paid, by issue date), times the days in the window. Computed per currency; ' +
      'across currencies the mean of those, weighted by the number of invoices issued. Drafts, invoices on hold and void ones do ' +
      'not count. The amounts are the open receivables.',
    basis:
      `${counted(invoiced, 'invoice')} issued ${window.from} to ${window.to}, ${open} open` +
      (perCurrencyDso.length ? `; ${perCurrencyDso.map(([currency, days]) => `${currency} ${round(days, 1)} days`).join(', ')}` : ''),
    link: null,
  };
}

// ---- billable utilisation ------------------------------------------------------------------------

export interface RecordedTime {
  engagementId: string;
  workDate: string;
  billable: boolean;
  /** Exact hours as the time platform records them ("1.17"), or minutes when it gives no hours. */
  durationHours?: string;
  durationMinutes: number;
}

/** Hundredths of an hour of an entry, exact when the platform gave its hours. */
export function hundredthsOf(entry: RecordedTime): number {
  return entry.durationHours !== undefined ? hoursToHundredths(entry.durationHours) : Math.round((entry.durationMinutes * 100) / 60);
}

export interface Capacity {
  status: 'active' | 'inactive';
  capacityMinutesPerWeek: number;
}

export function billableUtilisation(entries: readonly RecordedTime[], resources: readonly Capacity[], window: Window): BusinessFigure {
  const billableHundredths = entries.filter((e) => e.billable).reduce((sum, e) => sum + hundredthsOf(e), 0);
  const active = resources.filter((r) => r.status === 'active');
  const weeklyMinutes = active.reduce((sum, r) => sum + r.capacityMinutesPerWeek, 0);
  // Capacity over the window: each active resource's weekly capacity for window days / 7 weeks.
  const capacityHours = (weeklyMinutes / 60) * (window.days / 7);
  const billableHours = billableHundredths / 100;
  return {
    name: 'billable-utilisation',
    title: 'Billable utilisation',
    unit: 'ratio',
    value: capacityHours > 0 ? round(billableHours / capacityHours, 4) : null,
    amounts: [],
    explanation:
      'Billable hours recorded on the time platform with a work date in the window (whatever their approval state), divided ' +
      "by the capacity of the scheduling platform's active people over the window (their contracted hours per week times the " +
      'weeks in the window).',
    basis: `${round(billableHours, 2)} billable hours; capacity ${round(capacityHours, 1)} hours of ${counted(active.length, 'active person', 'active people')} over ${window.days} days`,
    link: null,
  };
}

// ---- forecast accuracy -----------------------------------------------------------------------------

export interface PlannedWeek {
  engagementId: string;
  weekStart: string;
  plannedMinutes: number;
}

/** The Monday of the week of a plain date. */
export function mondayOf(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  return isoDate(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS);
}

/**
 * 1 − weighted absolute percentage error of the forecast: Σ|forecast − actual| / Σ forecast over
 * every engagement and week the forecast plans, clamped to [0, 1]. Only weeks that lie wholly
 * in the window and have ended count: a week still running has not had its actual hours yet.
 */
export function forecastAccuracy(planned: readonly PlannedWeek[], entries: readonly RecordedTime[], window: Window): BusinessFigure {
  const lastMonday = isoDate(Date.parse(`${mondayOf(window.to)}T00:00:00Z`) - 7 * DAY_MS);
  const inWindow = (week: string) => week >= window.from && week <= lastMonday;
  const actual = new Map<string, number>();
  for (const e of entries) {
    const key = `${e.engagementId}|${mondayOf(e.workDate)}`;
    actual.set(key, (actual.get(key) ?? 0) + hundredthsOf(e));
  }
  let plannedHours = 0;
  let errorHours = 0;
  let actualHours = 0;
  let weeks = 0;
  const engagements = new Set<string>();
  for (const p of planned) {
    if (!inWindow(p.weekStart) || p.plannedMinutes <= 0) continue;
    const forecast = p.plannedMinutes / 60;
    const done = (actual.get(`${p.engagementId}|${p.weekStart}`) ?? 0) / 100;
    plannedHours += forecast;
    actualHours += done;
    errorHours += Math.abs(forecast - done);
    weeks++;
    engagements.add(p.engagementId);
  }
  return {
    name: 'forecast-accuracy',
    title: 'Forecast accuracy',
    unit: 'ratio',
    value: plannedHours > 0 ? round(Math.min(1, Math.max(0, 1 - errorHours / plannedHours)), 4) : null,
    amounts: [],
    explanation:
      'How well the hours planned per engagement and week (the assignment-to-forecast forecast) matched the hours recorded on ' +
      'the time platform for that engagement and week: 1 minus the sum of the absolute differences divided by the planned ' +
      'hours, between 0 and 1 (1 is a perfect forecast). Weeks that ended within the window count; hours recorded on an ' +
      'engagement and week without a forecast do not.',
    basis: `${counted(weeks, 'engagement-week')} of ${counted(engagements.size, 'engagement')}: ${round(plannedHours, 2)} hours planned, ${round(actualHours, 2)} recorded`,
    link: null,
  };
}

// ---- money figures -----------------------------------------------------------------------------------

export function moneyFigure(
  figure: Pick<BusinessFigure, 'name' | 'title' | 'explanation' | 'link'>,
  amounts: Money[] | null,
  basis: string,
): BusinessFigure {
  return {
    ...figure,
    unit: 'money',
    value: null,
    amounts: amounts ?? [],
    basis: amounts === null ? basis : `${basis}; ${describeMoney(amounts)}`,
  };
}
