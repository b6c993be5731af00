// The shipped rules as the layer evaluates them: every rule of deploy/prometheus/alerts.yml parses and
// evaluates (or is named Prometheus-only, with its reason), and the rules' promtool unit tests
// (alerts.test.yml, Prometheus' own expectations) pass when replayed through the layer's evaluator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../project-root.js';
import { evaluateRules, recordedSource, type ActiveAlert } from './alert-state.js';
import { evaluate, matches, type Labels, type Sample, type SeriesSource } from './promql-eval.js';
import { parseDuration, parsePromQL, type LabelMatcher } from './promql-parse.js';
import { loadRuleFile, parseRuleFile, PROMETHEUS_ONLY, type RuleSet } from './rules.js';
import { LOOKBACK_MS } from './sample-ring.js';

const RULES_FILE = join(PROJECT_ROOT, 'deploy/prometheus/alerts.yml');
const TESTS_FILE = join(PROJECT_ROOT, 'deploy/prometheus/alerts.test.yml');

interface PromtoolTests {
  evaluation_interval?: string;
  tests: Array<{
    name: string;
    interval?: string;
    input_series: Array<{ series: string; values: string }>;
    promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }>;
    alert_rule_test?: Array<{
      eval_time: string;
      alertname: string;
      exp_alerts: Array<{ exp_labels?: Labels; exp_annotations?: Record<string, string> }>;
    }>;
  }>;
}

/** A series in promtool's notation (`name{a="b"}`) as a label set. */
function seriesLabels(text: string): Labels {
  const sel = parsePromQL(text);
  if (sel.kind !== 'selector') throw new Error(`not a series: ${text}`);
  return Object.fromEntries([['__name__', sel.name], ...sel.matchers.map((m) => [m.label, m.value])]);
}

/** promtool's expanding notation: `1 2 _ 3+2x4 5x3` (a+bxn is n+1 values from a by b; `_` is no sample). */
function expandValues(text: string): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  for (const token of text.trim().split(/\s+/)) {
    const blank = token.match(/^_(?:x(\d+))?$/);
    if (blank) {
      for (let i = 0; i < Number(blank[1] ?? 1); i++) out.push(undefined);
      continue;
    }
    const series = token.match(/^([-+]?[\d.]+(?:e[-+]?\d+)?)(?:([-+])([\d.]+(?:e[-+]?\d+)?))?x(\d+)$/);
    if (series) {
      let v = Number(series[1]);
      const step = series[3] ? Number(series[3]) * (series[2] === '-' ? -1 : 1) : 0;
      for (let i = 0; i <= Number(series[4]); i++, v += step) out.push(v);
      continue;
    }
    if (!Number.isFinite(Number(token))) throw new Error(`unsupported value ${token}`);
    out.push(Number(token));
  }
  return out;
}

/** The input series of one promtool test, sampled every `interval` from time 0, as Prometheus' storage holds them. */
function promtoolSource(inputs: Array<{ series: string; values: string }>, intervalMs: number): SeriesSource {
  const series = inputs.map((s) => ({
    labels: seriesLabels(s.series),
    points: expandValues(s.values).flatMap((v, i): Array<[number, number]> => (v === undefined ? [] : [[i * intervalMs, v]])),
  }));
  return {
    instant(matchers: readonly LabelMatcher[], atMs: number): Sample[] {
      return series.flatMap((s) => {
        if (!matches(s.labels, matchers)) return [];
        const latest = s.points.filter(([t]) => t <= atMs && atMs - t <= LOOKBACK_MS).at(-1);
        return latest ? [{ labels: s.labels, value: latest[1] }] : [];
      });
    },
    range(matchers, fromMs, toMs) {
      return series
        .filter((s) => matches(s.labels, matchers))
        .map((s) => ({ labels: s.labels, points: s.points.filter(([t]) => t >= fromMs && t <= toMs) }))
        .filter((s) => s.points.length > 0);
    },
  };
}

const firingAt = (history: Map<number, Map<string, ActiveAlert>>, atMs: number, alertname: string) =>
  [...(history.get(atMs)?.values() ?? [])].filter((a) => a.alertname === alertname && a.state === 'firing');

describe('the shipped alerting rules in the layer', () => {
  const rules = loadRuleFile(RULES_FILE);
  const file = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string }> }> };
  const inFile = file.groups.flatMap((g) => g.rules);

  it('parses every rule, or names it Prometheus-only with the reason', () => {
    const alerts = inFile.filter((r) => r.alert).map((r) => r.alert!);
    const evaluable = rules.alerts.map((a) => a.alert);
    expect(alerts.length, 'alerts in the file').toBeGreaterThan(20);
    for (const alert of alerts)
      expect(evaluable.includes(alert) || alert in PROMETHEUS_ONLY, `${alert}: evaluated by the layer or listed Prometheus-only`).toBe(
        true,
      );
    expect(
      rules.recording.map((r) => r.record),
      'every recording rule',
    ).toEqual(inFile.filter((r) => r.record).map((r) => r.record));
    for (const [alert, reason] of Object.entries(PROMETHEUS_ONLY)) {
      expect(alerts, `${alert} (Prometheus-only) is still a rule of the file`).toContain(alert);
      expect(reason.length, `${alert} says why`).toBeGreaterThan(20);
    }
  });

  it('evaluates every rule against an empty registry without error', () => {
    const empty: SeriesSource = { instant: () => [], range: () => [] };
    const result = evaluateRules(rules, empty, Date.now(), new Map());
    expect(result.failures, 'rules that failed to evaluate').toEqual([]);
    expect(result.active.size, 'nothing fires with no metrics').toBe(0);
  });

  it('refuses a rule outside the subset, naming the rule and the syntax', () => {
    const text = (expr: string) => `groups:\n  - name: g\n    rules:\n      - alert: NewRule\n        expr: '${expr}'\n`;
    expect(() => parseRuleFile(text('absent(layer_x)'))).toThrow(/rule NewRule: function or aggregation absent\(\) is not supported/);
    expect(() => parseRuleFile(text('up == 0'))).toThrow(/rule NewRule: reads `up`, which only Prometheus has: list it in PROMETHEUS_ONLY/);
    expect(() => parseRuleFile(text('sum(ALERTS) > 3'))).toThrow(/reads `ALERTS`/);
    expect(() => parseRuleFile(text('layer_x > on(a) layer_y'))).toThrow(/"on" is not supported/);
    expect(() => parseRuleFile(text('rate(layer_x[5m:1m])'))).toThrow(/rule NewRule:/);
  });

  // promtool's own test cases of the rules, replayed: evaluation every evaluation_interval from 0, as promtool does.
  const tests = parse(readFileSync(TESTS_FILE, 'utf8')) as PromtoolTests;
  const everyMs = parseDuration(tests.evaluation_interval ?? '1m');
  it.each(tests.tests.map((t) => [t.name, t]))('agrees with promtool: %s', (_name, test) => {
    const source = promtoolSource(test.input_series, parseDuration(test.interval ?? '1m'));
    const lastMs = Math.max(
      ...(test.alert_rule_test ?? []).map((a) => parseDuration(a.eval_time)),
      ...(test.promql_expr_test ?? []).map((p) => parseDuration(p.eval_time)),
    );
    const history = new Map<number, Map<string, ActiveAlert>>();
    let active = new Map<string, ActiveAlert>();
    for (let t = 0; t <= lastMs; t += everyMs) {
      const result = evaluateRules(rules, source, t, active);
      expect(result.failures, `rules that failed at ${t / 60_000}m`).toEqual([]);
      active = result.active;
      history.set(t, active);
    }
    let checked = 0;
    for (const expectation of test.alert_rule_test ?? []) {
      if (expectation.alertname in PROMETHEUS_ONLY) continue;
      const at = parseDuration(expectation.eval_time);
      const firing = firingAt(history, at, expectation.alertname);
      const what = `${expectation.alertname} at ${expectation.eval_time}`;
      expect(
        firing.map((a) => ({ labels: a.labels, annotations: a.annotations })),
        what,
      ).toEqual(
        expect.arrayContaining(
          expectation.exp_alerts.map((e) => ({
            labels: { ...e.exp_labels, alertname: expectation.alertname },
            annotations: e.exp_annotations ?? {},
          })),
        ),
      );
      expect(firing.length, `${what}: no more alerts than promtool expects`).toBe(expectation.exp_alerts.length);
      checked++;
    }
    for (const expectation of test.promql_expr_test ?? []) {
      const at = parseDuration(expectation.eval_time);
      const value = evaluate(parsePromQL(expectation.expr), recordedSource(rules as RuleSet, source, at), at);
      const samples = value.kind === 'vector' ? value.samples : [];
      expect(samples.length, `${expectation.expr} at ${expectation.eval_time}: samples`).toBe(expectation.exp_samples.length);
      for (const exp of expectation.exp_samples) {
        const labels = seriesLabels(exp.labels);
        const got = samples.find((s) => JSON.stringify(Object.entries(s.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
        expect(got, `${exp.labels} at ${expectation.eval_time}`).toBeDefined();
        expect(Math.abs(got!.value - exp.value), `${exp.labels}: ${got!.value} against promtool's ${exp.value}`).toBeLessThan(
          1e-9 * Math.max(1, Math.abs(exp.value)),
        );
      }
      checked++;
    }
    expect(checked, 'expectations compared (a test of only Prometheus-only alerts compares none)').toBeGreaterThanOrEqual(
      test.alert_rule_test?.every((a) => a.alertname in PROMETHEUS_ONLY) && !test.promql_expr_test ? 0 : 1,
    );
  });
});
