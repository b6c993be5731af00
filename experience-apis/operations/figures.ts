// The executive page's figures and the trends, as the operations contract shapes them, from
// the business figures' stored computations (never computed on a request).
import type { BusinessFiguresApi } from '../../process-apis/business-figures/index.js';
import type { ExecutiveFigures, TrendList } from './types.js';

export type FiguresSource = Pick<BusinessFiguresApi, 'latest' | 'trends' | 'windowDays'>;

/** The last computation; before the first one, no figures and `computedAt: null`. */
export async function executiveFigures(source: FiguresSource | undefined): Promise<ExecutiveFigures> {
  const latest = await source?.latest();
  if (!latest) return { computedAt: null, windowDays: source?.windowDays ?? 90, figures: [] };
  return { computedAt: new Date(latest.computedAtMs).toISOString(), windowDays: latest.windowDays, figures: latest.figures };
}

export async function trendList(source: FiguresSource | undefined, query: { hours: number; figure?: string }): Promise<TrendList> {
  const trends = (await source?.trends(query)) ?? [];
  return {
    hours: query.hours,
    items: trends.slice(0, 100).map((t) => ({
      figure: t.figure,
      unit: t.unit,
      ...(t.currency ? { currency: t.currency } : {}),
      points: t.points.map((p) => ({ at: new Date(p.atMs).toISOString(), value: p.value })),
    })),
  };
}
