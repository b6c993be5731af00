// Business figures: DSO, billable utilisation, forecast accuracy, unbilled and held work, the
// invoice posting backlog and revenue at risk, computed from the platforms on a schedule.
//
// Wiring: process-apis/index.ts `createProcessApis` builds it on the system APIs and the
// journeys' public APIs (as `processApis.businessFigures`) and runs its BusinessFiguresSchedule;
// the operations experience API serves it (GET /executive-figures, GET /trends).
export { createBusinessFiguresApi, type BusinessFiguresApi, type BusinessFiguresDeps, type Snapshot, type Trend } from './service.js';
export { BusinessFiguresSchedule, BUSINESS_FIGURES_JOB } from './schedule.js';
export { promBusinessFiguresMetrics, noBusinessFiguresMetrics, type BusinessFiguresMetrics } from './metrics.js';
export type { FigureSources } from './sources.js';
export type { BusinessFigure } from './figures.js';
