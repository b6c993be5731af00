// How a figure reads in the console: its value in its unit (money per currency, ratios as
// percentages), and a title for a figure name the page has no title for.
import { money } from './dom.js';

export type Unit = 'days' | 'ratio' | 'money' | 'count' | 'hours' | 'seconds';

export function figureValue(value: number | null, unit: Unit, currency?: string): string {
  if (value === null) return 'not enough data';
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(1)} %`;
    case 'days':
      return `${value.toFixed(1)} days`;
    case 'hours':
      return `${value.toFixed(1)} h`;
    case 'seconds':
      return `${value.toFixed(value < 10 ? 1 : 0)} s`;
    case 'money':
      // Trend points carry money as the canonical model does: integer minor units.
      return currency ? money({ amountMinor: value, currency }) : String(value);
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }
}

/** Short, for a chart's axis: money and large counts compact (€66K), the rest as in text. */
export function axisValue(value: number, unit: Unit, currency?: string): string {
  if (unit === 'money' && currency) {
    const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
    const digits = new Intl.NumberFormat('en-GB', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(value / 10 ** digits);
  }
  if (unit === 'ratio') return `${Math.round(value * 1000) / 10} %`;
  if (unit === 'count') return new Intl.NumberFormat('en-GB', { notation: 'compact' }).format(value);
  return figureValue(Math.round(value * 10) / 10, unit, currency).replace(/\.0\b/, '');
}

// Titles of the figures docs/metrics.md names; a figure not listed here reads as its name.
const TITLES: Record<string, string> = {
  'open-exceptions': 'Open reconciliation exceptions',
  'revenue-at-risk': 'Revenue at risk',
  dso: 'Days sales outstanding',
  'billable-utilisation': 'Billable utilisation',
  'forecast-accuracy': 'Forecast accuracy',
  'unbilled-work': 'Unbilled work',
  'held-work': 'Held work',
  'invoice-posting-backlog': 'Invoice posting backlog',
  'failed-provisioning': 'Failed provisioning',
  'open-dead-letters': 'Open dead letters',
};

export const figureTitle = (name: string) => TITLES[name] ?? name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, ' ');
