// The rules of deploy/prometheus/alerts.yml as the layer evaluates them: recording rules, then
// alerts with their `for`, labels and annotation templates. The file is the one Prometheus loads;
// rules the layer cannot evaluate about itself are named here, with the reason.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseDuration, parsePromQL, rangeSelectors, selectedNames, type Expr } from './promql-parse.js';
import { compileTemplate } from './templates.js';
import type { Labels } from './promql-eval.js';

/** Alerts only Prometheus can raise, and why the layer leaves them to it. */
export const PROMETHEUS_ONLY: Readonly<Record<string, string>> = {
  LayerDown: 'it reads `up`, the result of Prometheus scraping the layer: a layer that is down sends nothing',
};

/** Series Prometheus makes itself (scrape health, its alerts' state): never in the layer's registry. */
const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

export interface RecordingRule {
  record: string;
  expr: Expr;
  source: string;
}

export interface AlertingRule {
  alert: string;
  group: string;
  expr: Expr;
  source: string;
  forMs: number;
  labels: Labels;
  annotations: Record<string, (labels: Labels, value: number) => string>;
}

export interface RuleSet {
  recording: RecordingRule[];
  alerts: AlertingRule[];
  /** Alerts in the file left to Prometheus (PROMETHEUS_ONLY). */
  prometheusOnly: string[];
  /** The longest range any range selector reads: how much history the sample ring keeps. */
  longestRangeMs: number;
}

interface RuleFile {
  groups?: Array<{
    name?: string;
    rules?: Array<{ alert?: string; record?: string; expr?: string; for?: string; labels?: Labels; annotations?: Record<string, string> }>;
  }>;
}

export class RuleFileError extends Error {}

/** Parses a Prometheus rule file's text; throws a RuleFileError naming the rule and what is unsupported. */
export function parseRuleFile(text: string, file = 'alerts.yml'): RuleSet {
  const doc = parse(text) as RuleFile | null;
  const set: RuleSet = { recording: [], alerts: [], prometheusOnly: [], longestRangeMs: 0 };
  const recorded = new Set<string>();
  for (const group of doc?.groups ?? []) {
    for (const rule of group.rules ?? []) {
      const name = rule.alert ?? rule.record ?? '(unnamed)';
      const fail = (why: string): never => {
        throw new RuleFileError(`${file}: rule ${name}: ${why}`);
      };
      if (rule.alert && PROMETHEUS_ONLY[rule.alert]) {
        set.prometheusOnly.push(rule.alert);
        continue;
      }
      if (typeof rule.expr !== 'string') fail('has no expr');
      let expr: Expr;
      try {
        expr = parsePromQL(rule.expr!);
      } catch (err) {
        return fail(err instanceof Error ? err.message : String(err));
      }
      for (const sel of rangeSelectors(expr)) {
        if (recorded.has(sel.name)) fail(`reads recording rule ${sel.name} over a range, which the layer keeps no history of`);
        set.longestRangeMs = Math.max(set.longestRangeMs, sel.rangeMs ?? 0);
      }
      const ownSeries = selectedNames(expr).find((n) => PROMETHEUS_SERIES.has(n));
      if (ownSeries)
        fail(`reads \`${ownSeries}\`, which only Prometheus has: list it in PROMETHEUS_ONLY (core/alerts/rules.ts) with the reason`);
      if (rule.record) {
        recorded.add(rule.record);
        set.recording.push({ record: rule.record, expr, source: rule.expr! });
        continue;
      }
      if (!rule.alert) fail('is neither an alert nor a recording rule');
      const annotations: AlertingRule['annotations'] = {};
      try {
        for (const [key, template] of Object.entries(rule.annotations ?? {})) annotations[key] = compileTemplate(String(template));
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
      }
      // Prometheus templates label values too; the shipped rules' labels are constants, and so must a new rule's be here.
      for (const [key, value] of Object.entries(rule.labels ?? {}))
        if (String(value).includes('{{')) fail(`label ${key} is a template, which the layer does not render`);
      let forMs = 0;
      try {
        forMs = rule.for ? parseDuration(rule.for) : 0;
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
      }
      set.alerts.push({
        alert: rule.alert!,
        group: group.name ?? '',
        expr,
        source: rule.expr!,
        forMs,
        labels: Object.fromEntries(Object.entries(rule.labels ?? {}).map(([k, v]) => [k, String(v)])),
        annotations,
      });
    }
  }
  return set;
}

export function loadRuleFile(path: string): RuleSet {
  return parseRuleFile(readFileSync(path, 'utf8'), path);
}
