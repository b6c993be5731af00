// The PromQL subset, its templates and the alert state machine, each on small hand-made series:
// precedence and matching, extrapolated increase, quantiles, Go's number formats, `for` and resolution.
import { describe, expect, it } from 'vitest';
import { evaluateRules, type ActiveAlert } from './alert-state.js';
import { bucketQuantile, evaluate, type Sample, type SeriesSource, type Value } from './promql-eval.js';
import { parseDuration, parsePromQL } from './promql-parse.js';
import { parseRuleFile } from './rules.js';
import { SampleRing } from './sample-ring.js';
import { goFloat, humanize, humanizeDuration, humanizePercentage } from './templates.js';

const s = (name: string, labels: Record<string, string>, value: number): Sample => ({ labels: { __name__: name, ...labels }, value });

/** A source holding one reading (instant) and no history. */
function instantSource(samples: Sample[]): SeriesSource {
  const ring = new SampleRing([]);
  ring.add(0, samples);
  return ring;
}

const vector = (v: Value) => (v.kind === 'vector' ? v.samples.map((x) => ({ ...x.labels, value: x.value })) : v);

describe('PromQL subset: parsing', () => {
  it('binds comparison looser than arithmetic, and arithmetic left to right', () => {
    const e = parsePromQL('a - b > 0');
    expect(e, 'the comparison is the root').toMatchObject({ kind: 'binary', op: '>', lhs: { kind: 'binary', op: '-' } });
    expect(parsePromQL('a / b * 3600'), '(a / b) * 3600').toMatchObject({ op: '*', lhs: { op: '/' } });
    expect(parsePromQL('time() - max by (f) (x) > 300'), 'time() - max is compared').toMatchObject({
      op: '>',
      lhs: { op: '-', lhs: { kind: 'call', fn: 'time' }, rhs: { kind: 'aggregate', op: 'max', by: ['f'] } },
    });
    expect(parsePromQL('a or b > 1'), '"or" binds loosest').toMatchObject({ op: 'or', rhs: { op: '>' } });
  });

  it('reads matchers, ranges, and `by` before or after the aggregated expression', () => {
    expect(parsePromQL('rate(x{a="1",b=~"5..",c!="z"}[1h30m])')).toEqual({
      kind: 'call',
      fn: 'rate',
      args: [
        {
          kind: 'selector',
          name: 'x',
          matchers: [
            { label: 'a', op: '=', value: '1' },
            { label: 'b', op: '=~', value: '5..' },
            { label: 'c', op: '!=', value: 'z' },
          ],
          rangeMs: 5_400_000,
        },
      ],
    });
    expect(parsePromQL('sum(x) by (a, b)'), 'trailing by').toMatchObject({ kind: 'aggregate', by: ['a', 'b'] });
    expect(parseDuration('7d'), 'days').toBe(604_800_000);
  });

  it('refuses what is outside the subset with one line naming it', () => {
    const cases: Array<[string, RegExp]> = [
      ['avg(x)', /function or aggregation avg\(\) is not supported/],
      ['sum without (a) (x)', /"without" is not supported/],
      ['x and y', /"and" is not supported/],
      ['x > bool 1', /"bool" is not supported/],
      ['x offset 5m', /"offset" is not supported/],
      ['rate(x)', /rate\(\) needs a range vector selector/],
      ['x{a=1}', /expected a quoted label value/],
      ['x %', /"%" is not supported|unexpected character/],
      ['sum(x', /expected "\)"/],
    ];
    for (const [expr, message] of cases) {
      expect(() => parsePromQL(expr), expr).toThrow(message);
      try {
        parsePromQL(expr);
      } catch (err) {
        expect((err as Error).message, `${expr}: one line`).not.toContain('\n');
      }
    }
  });
});

describe('PromQL subset: evaluation', () => {
  const source = instantSource([
    s('http_requests_total', { route: '/a', status: '500' }, 5),
    s('http_requests_total', { route: '/a', status: '200' }, 95),
    s('http_requests_total', { route: '/b', status: '503' }, 10),
    s('cursor_age', { platform: 'crm', cursor: 'c1' }, 100),
    s('cursor_age', { platform: 'crm', cursor: 'c2' }, 40),
    s('webhook_age', { platform: 'crm' }, 5),
    s('webhook_age', { platform: 'erp' }, 700),
  ]);

  it('aggregates by labels with regex and negative matchers', () => {
    expect(vector(evaluate(parsePromQL('sum by (route) (http_requests_total{status=~"5.."})'), source, 0))).toEqual([
      { route: '/a', value: 5 },
      { route: '/b', value: 10 },
    ]);
    expect(vector(evaluate(parsePromQL('sum(http_requests_total{status!="200"})'), source, 0)), 'no labels left').toEqual([{ value: 15 }]);
    expect(vector(evaluate(parsePromQL('max(cursor_age) > 50'), source, 0)), 'the filter keeps the value').toEqual([{ value: 100 }]);
    expect(vector(evaluate(parsePromQL('max(cursor_age) > 500'), source, 0)), 'and drops what fails it').toEqual([]);
  });

  it('divides vectors matched on their labels, and fills gaps with `or` and label_replace', () => {
    const ratio = evaluate(parsePromQL('sum(http_requests_total{status=~"5.."}) / sum(http_requests_total)'), source, 0);
    expect(vector(ratio)).toEqual([{ value: 15 / 110 }]);
    const freshest = evaluate(
      parsePromQL(
        'min by (platform) (max by (platform, cursor) (cursor_age) or label_replace(max by (platform) (webhook_age), "cursor", "webhooks", "", ""))',
      ),
      source,
      0,
    );
    expect(vector(freshest), 'crm: its webhook is fresher than its cursors; erp: only a webhook').toEqual([
      { platform: 'crm', value: 5 },
      { platform: 'erp', value: 700 },
    ]);
  });

  it('computes time() - x in seconds', () => {
    // The reading is taken at 0 and is four minutes old at 240 s: within Prometheus' lookback.
    const v = evaluate(parsePromQL('time() - max(webhook_age)'), instantSource([s('webhook_age', {}, 40)]), 240_000);
    expect(vector(v)).toEqual([{ value: 200 }]);
  });

  it('extrapolates increase() and rate() as Prometheus does, and survives a counter reset', () => {
    const ring = new SampleRing([{ matchers: [{ label: '__name__', op: '=', value: 'runs_total' }], rangeMs: 600_000 }]);
    // One sample a minute: 0, 1, 2, 3, 0 (reset), 1.
    [0, 1, 2, 3, 0, 1].forEach((v, i) => ring.add(i * 60_000, [s('runs_total', { state: 'failed' }, v)]));
    const at = 5 * 60_000;
    const increase = evaluate(parsePromQL('increase(runs_total[10m])'), ring, at);
    // Raw increase 3 + 1 = 4 over 5 minutes of samples; the start is extrapolated only to the counter's zero.
    expect(vector(increase), 'increase over the window').toEqual([{ state: 'failed', value: 4 }]);
    const rate = evaluate(parsePromQL('rate(runs_total[10m])'), ring, at);
    expect(vector(rate), 'per second over the whole range').toEqual([{ state: 'failed', value: 4 / 600 }]);
    const one = new SampleRing([{ matchers: [{ label: '__name__', op: '=', value: 'runs_total' }], rangeMs: 600_000 }]);
    one.add(0, [s('runs_total', {}, 7)]);
    expect(vector(evaluate(parsePromQL('increase(runs_total[10m])'), one, 0)), 'one sample is no increase').toEqual([]);
  });

  it('keeps only the history the range selectors need', () => {
    const ring = new SampleRing([{ matchers: [{ label: '__name__', op: '=', value: 'kept_total' }], rangeMs: 120_000 }]);
    for (let i = 0; i < 10; i++) ring.add(i * 60_000, [s('kept_total', {}, i), s('other', {}, i)]);
    expect(ring.size, 'three minutes of one series (120 s back, both ends)').toBe(3);
    expect(ring.instant([{ label: '__name__', op: '=', value: 'other' }], 9 * 60_000), 'the latest reading serves instants').toEqual([
      s('other', {}, 9),
    ]);
    ring.add(10 * 60_000, []);
    expect(ring.instant([{ label: '__name__', op: '=', value: 'other' }], 10 * 60_000), 'a series gone from the reading is gone').toEqual(
      [],
    );
  });

  it('interpolates histogram_quantile within the bucket, and gives the last finite bound for the +Inf bucket', () => {
    const buckets = (counts: number[], les: number[]) => les.map((le, i) => ({ le, count: counts[i]! }));
    expect(bucketQuantile(0.95, buckets([0, 10, 10], [900, 1800, Infinity])), 'rank 9.5 of 10 in (900, 1800]').toBe(1755);
    expect(bucketQuantile(0.5, buckets([0, 0, 4], [1, 2, Infinity])), 'in the +Inf bucket').toBe(2);
    expect(bucketQuantile(0.5, buckets([0, 0], [1, Infinity])), 'no observations').toBeNaN();
    const v = evaluate(
      parsePromQL('histogram_quantile(0.5, sum by (journey, le) (lat_bucket))'),
      instantSource([s('lat_bucket', { journey: 'j', le: '10' }, 2), s('lat_bucket', { journey: 'j', le: '+Inf' }, 4)]),
      0,
    );
    expect(vector(v), 'grouped by the labels but le').toEqual([{ journey: 'j', value: 10 }]);
  });
});

describe('templates, formatted as Go and Prometheus do', () => {
  it('formats numbers', () => {
    expect([goFloat(1), goFloat(0.5), goFloat(119000), goFloat(1_000_000), goFloat(NaN)], '%v').toEqual([
      '1',
      '0.5',
      '119000',
      '1e+06',
      'NaN',
    ]);
    expect([humanize(3), humanize(1234567), humanize(0.0015)], 'humanize').toEqual(['3', '1.235M', '1.5m']);
    expect([humanizeDuration(1755), humanizeDuration(4800), humanizeDuration(90061), humanizeDuration(12.5)], 'humanizeDuration').toEqual([
      '29m 15s',
      '1h 20m 0s',
      '1d 1h 1m 1s',
      '12.5s',
    ]);
    expect(humanizePercentage(0.0725), 'humanizePercentage').toBe('7.25%');
  });
});

describe('alert states: pending, firing after `for`, resolved', () => {
  const rules = parseRuleFile(`
groups:
  - name: g
    rules:
      - alert: Backlog
        expr: max by (queue) (backlog) > 10
        for: 2m
        labels: { severity: warning }
        annotations:
          summary: "{{ $labels.queue }} holds {{ $value }}"
`);
  const at = (min: number) => min * 60_000;
  const run = (readings: number[]) => {
    let active = new Map<string, ActiveAlert>();
    const log: string[] = [];
    readings.forEach((value, min) => {
      const result = evaluateRules(rules, instantSource([s('backlog', { queue: 'q1', instance: 'r1' }, value)]), at(min), active);
      active = result.active;
      for (const t of result.transitions) log.push(`${min}m ${t.to} ${t.alert.annotations.summary}`);
      for (const a of active.values()) log.push(`${min}m ${a.state}`);
    });
    return log;
  };

  it('goes pending, fires once `for` has held, and resolves once when it stops holding', () => {
    expect(run([5, 20, 20, 30, 30, 3, 3])).toEqual([
      '1m pending',
      '2m pending',
      '3m firing q1 holds 30',
      '3m firing',
      '4m firing',
      '5m resolved q1 holds 30',
    ]);
  });

  it('forgets a pending alert that stops holding before `for`, without a transition', () => {
    expect(run([20, 20, 3, 20])).toEqual(['0m pending', '1m pending', '3m pending']);
  });

  it('labels the alert with the result labels, the rule labels and its name', () => {
    const result = evaluateRules(rules, instantSource([s('backlog', { queue: 'q1' }, 11)]), 0, new Map());
    expect([...result.active.values()][0]).toMatchObject({ labels: { queue: 'q1', severity: 'warning', alertname: 'Backlog' }, value: 11 });
  });
});
