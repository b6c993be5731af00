// One evaluation of a rule set, as Prometheus' rule manager does it: recording rules first, then each
// alert's expression; a new result is pending, it fires once it has held for `for`, and a firing alert
// whose result is gone is resolved. Pure: the caller keeps the active alerts between evaluations.
import { createHash } from 'node:crypto';
import { evaluate, matches, signature, type Labels, type Sample, type SeriesSource } from './promql-eval.js';
import type { LabelMatcher } from './promql-parse.js';
import type { AlertingRule, RuleSet } from './rules.js';

export interface ActiveAlert {
  fingerprint: string;
  alertname: string;
  /** The result's labels (without `__name__`), the rule's labels and `alertname`. */
  labels: Labels;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: number;
  activeAtMs: number;
  firedAtMs?: number;
}

export interface AlertTransition {
  to: 'firing' | 'resolved';
  alert: ActiveAlert;
  /** When it was resolved (`to: 'resolved'`). */
  endsAtMs?: number;
}

export interface RuleFailure {
  rule: string;
  error: string;
}

export interface RulesEvaluation {
  active: Map<string, ActiveAlert>;
  transitions: AlertTransition[];
  failures: RuleFailure[];
}

/** A stable identity of an alert: its label set, hashed (as Alertmanager receivers de-duplicate on it). */
export function fingerprint(labels: Labels): string {
  return createHash('sha256').update(signature(labels)).digest('hex').slice(0, 16);
}

/** The source with the recording rules' results of this evaluation laid over it. */
function withRecorded(source: SeriesSource, recorded: Map<string, Sample[]>): SeriesSource {
  const recordedName = (matchers: readonly LabelMatcher[]) => {
    const name = matchers.find((m) => m.label === '__name__' && m.op === '=')?.value;
    return name !== undefined && recorded.has(name) ? name : undefined;
  };
  return {
    instant(matchers, atMs) {
      const name = recordedName(matchers);
      return name ? recorded.get(name)!.filter((s) => matches(s.labels, matchers)) : source.instant(matchers, atMs);
    },
    range: (matchers, fromMs, toMs) => source.range(matchers, fromMs, toMs),
  };
}

function alertsOf(rule: AlertingRule, samples: readonly Sample[]): Array<Omit<ActiveAlert, 'state' | 'activeAtMs'>> {
  const seen = new Set<string>();
  const out: Array<Omit<ActiveAlert, 'state' | 'activeAtMs'>> = [];
  for (const s of samples) {
    const { __name__: _name, ...resultLabels } = s.labels;
    const labels: Labels = { ...resultLabels, ...rule.labels, alertname: rule.alert };
    const fp = fingerprint(labels);
    if (seen.has(fp)) continue; // Prometheus refuses such a result; the first of the duplicates stands
    seen.add(fp);
    // Templates see the result's labels, as Prometheus' $labels does (before the rule's own).
    const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, render]) => [k, render(resultLabels, s.value)]));
    out.push({ fingerprint: fp, alertname: rule.alert, labels, annotations, value: s.value });
  }
  return out;
}

/** The source with the recording rules evaluated at `atMs` laid over it; rules that fail are added to `failures`. */
export function recordedSource(rules: RuleSet, source: SeriesSource, atMs: number, failures: RuleFailure[] = []): SeriesSource {
  const recorded = new Map<string, Sample[]>();
  for (const rule of rules.recording) {
    try {
      const value = evaluate(rule.expr, withRecorded(source, recorded), atMs);
      const samples = value.kind === 'vector' ? value.samples : value.kind === 'scalar' ? [{ labels: {}, value: value.value }] : [];
      recorded.set(
        rule.record,
        samples.map((s) => ({ labels: { ...s.labels, __name__: rule.record }, value: s.value })),
      );
    } catch (err) {
      failures.push({ rule: rule.record, error: err instanceof Error ? err.message : String(err) });
      recorded.set(rule.record, []);
    }
  }
  return withRecorded(source, recorded);
}

/** Evaluates every rule at `atMs`; `previous` are the active alerts after the last evaluation. */
export function evaluateRules(
  rules: RuleSet,
  source: SeriesSource,
  atMs: number,
  previous: ReadonlyMap<string, ActiveAlert>,
): RulesEvaluation {
  const failures: RuleFailure[] = [];
  const withRules = recordedSource(rules, source, atMs, failures);
  const active = new Map<string, ActiveAlert>();
  const transitions: AlertTransition[] = [];
  for (const rule of rules.alerts) {
    const before = [...previous.values()].filter((a) => a.alertname === rule.alert);
    let results: ReturnType<typeof alertsOf>;
    try {
      const value = evaluate(rule.expr, withRules, atMs);
      if (value.kind !== 'vector') throw new Error('an alert expression must give an instant vector');
      results = alertsOf(rule, value.samples);
    } catch (err) {
      // As Prometheus: a rule that fails to evaluate leaves its alerts as they were.
      failures.push({ rule: rule.alert, error: err instanceof Error ? err.message : String(err) });
      for (const a of before) active.set(a.fingerprint, a);
      continue;
    }
    for (const result of results) {
      const was = previous.get(result.fingerprint);
      const alert: ActiveAlert = was
        ? { ...was, labels: result.labels, annotations: result.annotations, value: result.value }
        : { ...result, state: 'pending', activeAtMs: atMs };
      if (alert.state === 'pending' && atMs - alert.activeAtMs >= rule.forMs) {
        alert.state = 'firing';
        alert.firedAtMs = atMs;
        transitions.push({ to: 'firing', alert });
      }
      active.set(alert.fingerprint, alert);
    }
    for (const gone of before.filter((a) => !active.has(a.fingerprint))) {
      // A pending alert that stops holding is forgotten; a firing one is resolved.
      if (gone.state === 'firing') transitions.push({ to: 'resolved', alert: gone, endsAtMs: atMs });
    }
  }
  // A rule taken out of the file resolves what it had firing, rather than leaving it firing for ever.
  const names = new Set(rules.alerts.map((r) => r.alert));
  for (const gone of previous.values())
    if (!names.has(gone.alertname) && gone.state === 'firing') transitions.push({ to: 'resolved', alert: gone, endsAtMs: atMs });
  return { active, transitions, failures };
}
