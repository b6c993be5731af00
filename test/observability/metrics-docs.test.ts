// docs/metrics.md is the list of the layer's metrics that dashboards and rules rely on: every
// metric a started layer registers is in it with the same type and help; every metric the Grafana
// dashboard and the alerting rules name is in it (or recorded by the rules); every alert has a
// severity, a summary and a runbook that exists; the dashboard reads its datasource from a variable.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../core/project-root.js';
import { startGateway, type TestGateway } from '../gateway/support.js';

const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8');

interface DocumentedMetric {
  name: string;
  type: string;
  help?: string;
}

/** `### \`name\`` blocks with their `- **Type:** …` and `- **Help:** …` lines. */
function documentedMetrics(markdown: string): Map<string, DocumentedMetric> {
  const metrics = new Map<string, DocumentedMetric>();
  let current: DocumentedMetric | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^### `([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(line);
    if (heading) {
      current = { name: heading[1]!, type: '' };
      metrics.set(current.name, current);
      continue;
    }
    if (line.startsWith('#')) current = undefined;
    if (!current) continue;
    const type = /^- \*\*Type:\*\* (\w+)/.exec(line);
    if (type) current.type = type[1]!;
    const help = /^- \*\*Help:\*\* (.*)$/.exec(line);
    if (help) current.help = help[1]!;
  }
  return metrics;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects (functions, labels, strings, durations left out). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    // An exponent (1e+06) or a duration (5m) is part of a number, not a name.
    const before = stripped[match.index! - 1];
    if (before && /[0-9.]/.test(before)) continue;
    names.add(name!);
  }
  return [...names];
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
const documented = documentedMetrics(read('docs/metrics.md'));
/** Series Prometheus itself makes: the scrape's health and the alerts' state. */
const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

function known(name: string): boolean {
  if (documented.has(name) || recorded.has(name) || PROMETHEUS_SERIES.has(name)) return true;
  // A histogram's series: name_bucket, name_sum, name_count.
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && documented.get(base)?.type === 'histogram';
}

interface Panel {
  title: string;
  type: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(read('deploy/grafana/layer-dashboard.json')) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
  annotations: { list: Array<{ expr?: string }> };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

describe('metric names in the dashboard and the rules', () => {
  it('reads names out of PromQL as Prometheus would select them', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (journey, le) (rate(layer_journey_sync_latency_seconds_bucket{journey!="x"}[30m]))) > 1.2e+06',
      ),
    ).toEqual(['layer_journey_sync_latency_seconds_bucket']);
    expect(
      metricNamesIn('min by (platform) (a_seconds or label_replace(max by (platform) (b_seconds), "cursor", "webhooks", "", ""))'),
    ).toEqual(['a_seconds', 'b_seconds']);
    expect(known('layer_journey_sync_latency_seconds_bucket'), 'a histogram series of a documented histogram').toBe(true);
    expect(known('layer_no_such_metric'), 'an unknown name is caught').toBe(false);
  });

  it('documents every metric the dashboard queries', () => {
    const exprs = [
      ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.annotations.list.flatMap((a) => a.expr ?? []),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const unknown = exprs.flatMap((expr) =>
      metricNamesIn(expr)
        .filter((name) => !known(name))
        .map((name) => `${name} in ${expr}`),
    );
    expect(unknown).toEqual([]);
  });

  it('documents every metric the rules read', () => {
    const unknown = rules.flatMap((r) =>
      metricNamesIn(r.expr)
        .filter((name) => !known(name))
        .map((name) => `${name} in ${r.alert ?? r.record}`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives every alert a severity, a summary and a runbook that exists', () => {
    const alerts = rules.filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThan(15);
    for (const alert of alerts) {
      expect(['critical', 'warning', 'info'], `${alert.alert} severity`).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, `${alert.alert} summary`).toBeTruthy();
      expect(alert.annotations?.runbook_url, `${alert.alert} runbook`).toBe(`docs/runbooks/${alert.alert}.md`);
      expect(existsSync(join(PROJECT_ROOT, alert.annotations!.runbook_url!)), `${alert.alert}'s runbook is written`).toBe(true);
    }
  });

  it('reads every panel from the datasource variable', () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const panel of panels) expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
  });
});

describe('the metrics a started layer registers', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    // With the layer's own alerts on, so that their metrics are registered too (nothing is sent in this test's time).
    gateway = await startGateway(undefined, {
      ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/alerts',
      ALERT_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
  });
  afterAll(() => gateway?.close());

  it('are all in docs/metrics.md with their type, and their help where the doc gives one', async () => {
    const registered = (await gateway.metrics.registry.getMetricsAsJSON()).filter(
      (m) => !m.name.startsWith('process_') && !m.name.startsWith('nodejs_'),
    );
    expect(registered.map((m) => m.name)).toContain('layer_journey_sync_latency_seconds');
    const differences = registered.flatMap((m) => {
      const doc = documented.get(m.name);
      if (!doc) return [`${m.name} is not documented`];
      const wrong: string[] = [];
      if (doc.type !== String(m.type)) wrong.push(`${m.name}: documented as ${doc.type}, registered as ${String(m.type)}`);
      if (doc.help !== undefined && doc.help !== m.help) wrong.push(`${m.name}: help "${doc.help}" is "${m.help}"`);
      return wrong;
    });
    expect(differences).toEqual([]);
    // The reconciliation and executive figures are documented by their agreed names before their
    // help texts exist: once registered, their help belongs in docs/metrics.md too.
    const helpless = registered.filter((m) => documented.get(m.name)?.help === undefined).map((m) => m.name);
    if (helpless.length)
      console.warn(`[test] docs/metrics.md has no help text for ${helpless.join(', ')}: copy it from the registered metric`);
  });
});
