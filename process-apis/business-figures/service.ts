// Business figures as one typed in-process API: compute them now (the schedule's round), read
// the latest computation and the trends. Computations are stored, so every replica answers
// with the same figures whichever of them computed.
import type { Logger } from '../../core/observability/logger.js';
import type { LayerShape } from '../../core/observability/business-metrics.js';
import type { Store } from '../../core/store/index.js';
import { businessFigures, businessPoints, operationalPoints, type FigurePoint } from './compute.js';
import { windowEnding } from './figures.js';
import { noBusinessFiguresMetrics, type BusinessFiguresMetrics } from './metrics.js';
import { latestSnapshot, pruneSnapshots, readTrends, saveSnapshot, type Snapshot, type Trend } from './snapshots.js';
import { readSources, type FigureSources } from './sources.js';

export type { Snapshot, Trend } from './snapshots.js';

export interface BusinessFiguresApi {
  /** Computes every figure now from the platforms and stores them; answers what was stored. */
  compute(nowMs?: number): Promise<Snapshot>;
  /** The last stored computation, if any. */
  latest(): Promise<Snapshot | undefined>;
  /** The recorded figures over the last `hours`, one trend per figure (and currency for money), oldest point first. */
  trends(query: { hours: number; figure?: string }): Promise<Trend[]>;
  /** The window each computation looks back over, in days. */
  windowDays: number;
}

export interface BusinessFiguresDeps {
  store: Store;
  logger: Logger;
  /** The layer's journeys and webhook sources, for the operational figures. */
  shape: LayerShape;
  sources: FigureSources;
  windowDays: number;
  retentionDays: number;
  /** Names the replica in each stored computation. */
  computedBy: string;
  metrics?: BusinessFiguresMetrics;
}

const DAY_MS = 86_400_000;
/** The contract's bound on points per trend. */
const MAX_POINTS = 5000;

export function createBusinessFiguresApi(deps: BusinessFiguresDeps): BusinessFiguresApi {
  const db = deps.store.db;
  const metrics = deps.metrics ?? noBusinessFiguresMetrics;
  return {
    windowDays: deps.windowDays,
    async compute(nowMs = Date.now()) {
      const started = performance.now();
      const window = windowEnding(nowMs, deps.windowDays);
      const [readings, operational] = await Promise.all([readSources(deps.sources, window), operationalPoints(db, deps.shape, nowMs)]);
      const figures = businessFigures(readings, window);
      const exceptions: FigurePoint[] =
        readings.atRisk?.ok === true
          ? [{ figure: 'open-exceptions', unit: 'count', currency: '', value: readings.atRisk.value.count }]
          : [];
      const snapshot: Snapshot = { computedAtMs: nowMs, windowDays: deps.windowDays, figures };
      await saveSnapshot(db, { ...snapshot, computedBy: deps.computedBy }, [...businessPoints(figures), ...operational, ...exceptions]);
      await pruneSnapshots(db, nowMs - deps.retentionDays * DAY_MS);
      metrics.show(snapshot);
      const missing = figures.filter((f) => f.basis.startsWith('Not computed'));
      if (missing.length)
        deps.logger.warn({ figures: missing.map((f) => f.name), reasons: missing.map((f) => f.basis) }, 'business figures left out');
      deps.logger.info(
        { window, figures: figures.length - missing.length, ms: Math.round(performance.now() - started) },
        'business figures computed',
      );
      return snapshot;
    },
    latest: () => latestSnapshot(db),
    trends: (query) => readTrends(db, { sinceMs: Date.now() - query.hours * 3_600_000, figure: query.figure, maxPoints: MAX_POINTS }),
  };
}
