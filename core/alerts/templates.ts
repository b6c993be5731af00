// Renders alert annotations as Prometheus does for the forms alerts.yml uses: `{{ $labels.x }}`,
// `{{ $value }}` and `{{ $value | humanize | humanizeDuration | humanizePercentage }}`, with Go's
// number formatting, so a receiver reads the same text from the layer as from Alertmanager.
import type { Labels } from './promql-eval.js';

/** Go's `%.<precision>g` (and `%v` with precision -1, the shortest form): exponent below 1e-4 or from 10^precision. */
export function goFloat(v: number, precision = -1): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exponential = precision < 0 ? v.toExponential() : v.toExponential(Math.max(precision, 1) - 1);
  const [mantissa, expText] = exponential.split('e') as [string, string];
  const exp = Number(expText);
  // Go's shortest form (%v) switches to an exponent from 1e+06, as if the precision were 6.
  const limit = precision < 0 ? 6 : Math.max(precision, 1);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= limit) return `${trim(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  if (precision < 0) return String(v);
  return trim(v.toFixed(Math.max(0, Math.max(precision, 1) - 1 - exp)));
}

/** Prometheus' humanize: SI prefixes, four significant digits. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goFloat(v, 4);
  if (Math.abs(v) >= 1) {
    let prefix = '';
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return `${goFloat(v, 4)}${prefix}`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goFloat(v, 4)}${prefix}`;
}

/** Prometheus' humanizeDuration: `1d 2h 3m 4s` from a number of seconds. */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return goFloat(v, 4);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const duration = Math.trunc(v);
    const seconds = duration % 60;
    const minutes = Math.floor(duration / 60) % 60;
    const hours = Math.floor(duration / 3600) % 24;
    const days = Math.floor(duration / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goFloat(v, 4)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goFloat(v, 4)}${prefix}s`;
}

/** Prometheus' humanizePercentage: a ratio as a percentage, four significant digits. */
export function humanizePercentage(v: number): string {
  return `${goFloat(v * 100, 4)}%`;
}

const PIPES: Record<string, (v: number) => string> = { humanize, humanizeDuration, humanizePercentage };
const ACTION = /\{\{\s*(.*?)\s*\}\}/g;

/**
 * Checks a template against the supported forms; returns a renderer. Throws a one-line error
 * naming the first unsupported action (Go templates can do much more; alerts.yml needs this).
 */
export function compileTemplate(template: string): (labels: Labels, value: number) => string {
  for (const [, action] of template.matchAll(ACTION)) parseAction(action!);
  return (labels, value) =>
    template.replace(ACTION, (_all, action: string) => {
      const parsed = parseAction(action);
      if (parsed.label !== undefined) return labels[parsed.label] ?? '';
      return parsed.pipe ? PIPES[parsed.pipe]!(value) : goFloat(value);
    });
}

function parseAction(action: string): { label?: string; pipe?: string } {
  const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
  if (label) return { label: label[1]! };
  const value = /^\$value(?:\s*\|\s*(\w+))?$/.exec(action);
  if (value && (value[1] === undefined || value[1] in PIPES)) return value[1] ? { pipe: value[1] } : {};
  throw new Error(
    `unsupported template action {{ ${action} }} (supported: $labels.<name>, $value, $value | humanize, humanizeDuration, humanizePercentage)`,
  );
}
