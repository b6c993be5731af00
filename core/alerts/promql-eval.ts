// Evaluates a parsed PromQL expression (the subset of promql-parse.ts) at one instant, the way
// Prometheus does: label matching, aggregation, extrapolated rate/increase, histogram_quantile.
import type { AggregateOp, BinaryOp, Expr, LabelMatcher } from './promql-parse.js';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}
export type Value = { kind: 'vector'; samples: Sample[] } | { kind: 'scalar'; value: number } | { kind: 'string'; value: string };

/** Where an evaluation reads series; labels include `__name__`. */
export interface SeriesSource {
  /** The latest sample at or before `atMs` (within Prometheus' 5-minute lookback) of each matching series. */
  instant(matchers: readonly LabelMatcher[], atMs: number): Sample[];
  /** The samples of each matching series in [fromMs, toMs], oldest first. */
  range(matchers: readonly LabelMatcher[], fromMs: number, toMs: number): Array<{ labels: Labels; points: Array<[number, number]> }>;
}

export class EvaluationError extends Error {}

/** The matchers a selector stands for, its metric name as a `__name__` matcher first. */
export function selectorMatchers(name: string, matchers: readonly LabelMatcher[]): LabelMatcher[] {
  return [{ label: '__name__', op: '=', value: name }, ...matchers];
}

const regexCache = new Map<string, RegExp>();
/** Prometheus anchors label regexes at both ends. */
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = new RegExp(`^(?:${pattern})$`)));
  return re;
}

export function matches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = labels[label] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return anchored(value).test(actual);
      case '!~':
        return !anchored(value).test(actual);
    }
  });
}

function withoutName(labels: Labels): Labels {
  const { __name__: _name, ...rest } = labels;
  return rest;
}

/** A label set's identity: sorted name/value pairs (what matches series across the two sides of an operator). */
export function signature(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

function arithmetic(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      throw new EvaluationError(`${op} is not arithmetic`);
  }
}

function compare(op: BinaryOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    default:
      throw new EvaluationError(`${op} is not a comparison`);
  }
}

const isComparison = (op: BinaryOp) => ['==', '!=', '>', '<', '>=', '<='].includes(op);

function binary(op: BinaryOp, lhs: Value, rhs: Value): Value {
  if (lhs.kind === 'string' || rhs.kind === 'string') throw new EvaluationError(`${op} on a string`);
  if (op === 'or') {
    if (lhs.kind !== 'vector' || rhs.kind !== 'vector') throw new EvaluationError('"or" needs two vectors');
    const seen = new Set(lhs.samples.map((s) => signature(withoutName(s.labels))));
    return { kind: 'vector', samples: [...lhs.samples, ...rhs.samples.filter((s) => !seen.has(signature(withoutName(s.labels))))] };
  }
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    if (isComparison(op)) throw new EvaluationError('comparisons between scalars need "bool", which is not supported');
    return { kind: 'scalar', value: arithmetic(op, lhs.value, rhs.value) };
  }
  // Comparisons filter and keep the vector side's value and name; arithmetic drops the name.
  const combine = (vectorSample: Sample, a: number, b: number): Sample | undefined => {
    if (isComparison(op)) return compare(op, a, b) ? vectorSample : undefined;
    return { labels: withoutName(vectorSample.labels), value: arithmetic(op, a, b) };
  };
  const out: Sample[] = [];
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') {
    for (const s of lhs.samples) {
      const r = combine(s, s.value, rhs.value);
      if (r) out.push(r);
    }
  } else if (lhs.kind === 'scalar' && rhs.kind === 'vector') {
    for (const s of rhs.samples) {
      const r = combine(s, lhs.value, s.value);
      if (r) out.push(isComparison(op) ? { labels: s.labels, value: s.value } : r);
    }
  } else if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    // One-to-one matching on every label but the name (no on/ignoring/group_* in the subset).
    const right = new Map<string, Sample>();
    for (const s of rhs.samples) {
      const sig = signature(withoutName(s.labels));
      if (right.has(sig)) throw new EvaluationError(`many-to-many matching: duplicate series on the right of ${op}`);
      right.set(sig, s);
    }
    for (const s of lhs.samples) {
      const match = right.get(signature(withoutName(s.labels)));
      if (!match) continue;
      const r = combine(s, s.value, match.value);
      if (r) out.push(isComparison(op) ? r : { labels: withoutName(s.labels), value: r.value });
    }
  }
  return { kind: 'vector', samples: out };
}

function aggregate(op: AggregateOp, by: readonly string[], samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, Sample>();
  for (const s of samples) {
    const labels: Labels = {};
    for (const l of by) if (s.labels[l] !== undefined && s.labels[l] !== '') labels[l] = s.labels[l]!;
    const key = signature(labels);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { labels, value: s.value });
      continue;
    }
    if (op === 'sum') group.value += s.value;
    // As Prometheus: NaN loses to any number in max and min.
    else if (op === 'max') group.value = Number.isNaN(group.value) || s.value > group.value ? s.value : group.value;
    else group.value = Number.isNaN(group.value) || s.value < group.value ? s.value : group.value;
  }
  return [...groups.values()];
}

/** Prometheus' extrapolatedRate for counters (promql/functions.go). */
function extrapolatedRate(points: ReadonlyArray<[number, number]>, fromMs: number, toMs: number, isRate: boolean): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let result = last[1] - first[1];
  let previous = 0;
  for (const [, v] of points) {
    if (v < previous) result += previous; // a counter reset
    previous = v;
  }
  let toStart = (first[0] - fromMs) / 1000;
  const toEnd = (toMs - last[0]) / 1000;
  const sampled = (last[0] - first[0]) / 1000;
  const average = sampled / (points.length - 1);
  if (result > 0 && first[1] >= 0) toStart = Math.min(toStart, sampled * (first[1] / result));
  const threshold = average * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : average / 2;
  interval += toEnd < threshold ? toEnd : average / 2;
  result *= interval / sampled;
  return isRate ? result / ((toMs - fromMs) / 1000) : result;
}

/** Prometheus' bucketQuantile over the classic buckets of one series group. */
export function bucketQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Infinity) return NaN;
  // Counts that go down with a higher bound are a scrape race: Prometheus holds them level.
  for (let i = 1; i < buckets.length; i++) if (buckets[i]!.count < buckets[i - 1]!.count) buckets[i]!.count = buckets[i - 1]!.count;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (buckets[b]!.le - start) * (rank / count);
}

function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Array<{ le: number; count: number }> }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const { le: _le, ...rest } = withoutName(s.labels);
    const key = signature(rest);
    const group = groups.get(key) ?? { labels: rest, buckets: [] };
    group.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: s.value });
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

/** label_replace(v, dst, replacement, src, regex) as Prometheus: `$1`-style groups, an empty result removes dst. */
function labelReplace(samples: readonly Sample[], dst: string, replacement: string, src: string, regex: string): Sample[] {
  const re = anchored(regex);
  return samples.map((s) => {
    const m = re.exec(s.labels[src] ?? '');
    if (!m) return s;
    const value = replacement.replace(/\$(\d+)|\$\{(\w+)\}/g, (_all, n: string | undefined, named: string | undefined) =>
      n !== undefined ? (m[Number(n)] ?? '') : (m.groups?.[named!] ?? ''),
    );
    const labels = { ...s.labels };
    if (value === '') delete labels[dst];
    else labels[dst] = value;
    return { labels, value: s.value };
  });
}

function asVector(v: Value, what: string): Sample[] {
  if (v.kind !== 'vector') throw new EvaluationError(`${what} needs an instant vector`);
  return v.samples;
}

function asScalar(v: Value, what: string): number {
  if (v.kind !== 'scalar') throw new EvaluationError(`${what} needs a scalar`);
  return v.value;
}

function asString(v: Value, what: string): string {
  if (v.kind !== 'string') throw new EvaluationError(`${what} needs a string`);
  return v.value;
}

/** Evaluates `expr` at `atMs` against `source`. */
export function evaluate(expr: Expr, source: SeriesSource, atMs: number): Value {
  switch (expr.kind) {
    case 'number':
      return { kind: 'scalar', value: expr.value };
    case 'string':
      return { kind: 'string', value: expr.value };
    case 'selector':
      if (expr.rangeMs !== undefined) throw new EvaluationError(`range vector ${expr.name}[…] outside rate() or increase()`);
      return { kind: 'vector', samples: source.instant(selectorMatchers(expr.name, expr.matchers), atMs) };
    case 'aggregate':
      return { kind: 'vector', samples: aggregate(expr.op, expr.by, asVector(evaluate(expr.expr, source, atMs), expr.op)) };
    case 'binary':
      return binary(expr.op, evaluate(expr.lhs, source, atMs), evaluate(expr.rhs, source, atMs));
    case 'call': {
      const [a, b, c, d, e] = expr.args;
      switch (expr.fn) {
        case 'time':
          return { kind: 'scalar', value: atMs / 1000 };
        case 'rate':
        case 'increase': {
          const sel = a as Expr & { kind: 'selector'; rangeMs: number };
          const fromMs = atMs - sel.rangeMs;
          const samples: Sample[] = [];
          for (const series of source.range(selectorMatchers(sel.name, sel.matchers), fromMs, atMs)) {
            const value = extrapolatedRate(series.points, fromMs, atMs, expr.fn === 'rate');
            if (value !== undefined) samples.push({ labels: withoutName(series.labels), value });
          }
          return { kind: 'vector', samples };
        }
        case 'histogram_quantile':
          return {
            kind: 'vector',
            samples: histogramQuantile(
              asScalar(evaluate(a!, source, atMs), 'histogram_quantile'),
              asVector(evaluate(b!, source, atMs), 'histogram_quantile'),
            ),
          };
        case 'label_replace':
          return {
            kind: 'vector',
            samples: labelReplace(
              asVector(evaluate(a!, source, atMs), 'label_replace'),
              asString(evaluate(b!, source, atMs), 'label_replace'),
              asString(evaluate(c!, source, atMs), 'label_replace'),
              asString(evaluate(d!, source, atMs), 'label_replace'),
              asString(evaluate(e!, source, atMs), 'label_replace'),
            ),
          };
      }
    }
  }
}
