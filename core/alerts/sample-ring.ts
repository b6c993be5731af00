// The layer's own metrics as a series source: each round reads the prom-client registry (a scrape of
// itself), keeps that reading for instant selectors, and keeps the history that the rules' range
// selectors need (`rate(x[1h])`: an hour of x) and no more.
import type { Registry } from 'prom-client';
import { matches, signature, type Labels, type Sample, type SeriesSource } from './promql-eval.js';
import type { LabelMatcher } from './promql-parse.js';

/** Prometheus' lookback: an instant selector sees a series' latest sample up to five minutes old. */
export const LOOKBACK_MS = 5 * 60_000;

/** Reads every series of the registry as Prometheus would scrape it (`le` as the exposition writes it). */
export async function readRegistry(registry: Registry): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const labels: Labels = { __name__: (v as { metricName?: string }).metricName ?? metric.name };
      for (const [k, value] of Object.entries(v.labels)) if (value !== undefined) labels[k] = String(value);
      samples.push({ labels, value: v.value });
    }
  }
  return samples;
}

interface RangeNeed {
  matchers: readonly LabelMatcher[];
  rangeMs: number;
}

export class SampleRing implements SeriesSource {
  private latest: { atMs: number; samples: Sample[] } | undefined;
  private readonly history = new Map<string, { labels: Labels; keepMs: number; points: Array<[number, number]> }>();

  /** `needs`: the range selectors (name included as a `__name__` matcher) the rules read. */
  constructor(private readonly needs: readonly RangeNeed[]) {}

  /** Records one reading taken at `atMs`. Series missing from it are gone for instant selectors at once (as a stale marker does). */
  add(atMs: number, samples: readonly Sample[]): void {
    this.latest = { atMs, samples: [...samples] };
    for (const s of samples) {
      const keepMs = Math.max(0, ...this.needs.filter((n) => matches(s.labels, n.matchers)).map((n) => n.rangeMs));
      if (keepMs === 0) continue;
      const key = signature(s.labels);
      const series = this.history.get(key) ?? { labels: s.labels, keepMs, points: [] };
      series.points.push([atMs, s.value]);
      this.history.set(key, series);
    }
    for (const [key, series] of this.history) {
      const from = atMs - series.keepMs;
      const firstKept = series.points.findIndex(([t]) => t >= from);
      if (firstKept === -1) this.history.delete(key);
      else if (firstKept > 0) series.points.splice(0, firstKept);
    }
  }

  instant(matchers: readonly LabelMatcher[], atMs: number): Sample[] {
    if (!this.latest || this.latest.atMs > atMs || atMs - this.latest.atMs > LOOKBACK_MS) return [];
    return this.latest.samples.filter((s) => matches(s.labels, matchers));
  }

  range(matchers: readonly LabelMatcher[], fromMs: number, toMs: number): Array<{ labels: Labels; points: Array<[number, number]> }> {
    const out: Array<{ labels: Labels; points: Array<[number, number]> }> = [];
    for (const series of this.history.values()) {
      if (!matches(series.labels, matchers)) continue;
      const points = series.points.filter(([t]) => t >= fromMs && t <= toMs);
      if (points.length > 0) out.push({ labels: series.labels, points });
    }
    return out;
  }

  /** Points held, for the tests that check the ring keeps no more than the rules need. */
  get size(): number {
    let n = 0;
    for (const s of this.history.values()) n += s.points.length;
    return n;
  }
}
