// Two replicas on one store run the business figures' schedule: one computation per period
// whichever wakes first, the other shows the stored figures on its gauges; the trends list the
// computations oldest first, and computations past the retention are deleted. Revenue at risk
// from the reconciliation's views, a failing platform that leaves out only its own figures, and
// unbilled work rated one engagement at a time when the listing fails on one.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import { journeysOf } from '../../core/workflows/index.js';
import { testEngines } from '../../test/support/stores.js';
import {
  BusinessFiguresSchedule,
  createBusinessFiguresApi,
  promBusinessFiguresMetrics,
  type BusinessFiguresMetrics,
  type FigureSources,
} from './index.js';

const PERIOD = 15 * 60_000;
const DAY = 86_400_000;
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const page = <T>(items: T[]) => Promise.resolve({ items, nextCursor: null });
/** A bulk read of one page. */
async function* pages<T>(items: T[]): AsyncGenerator<T[]> {
  yield await Promise.resolve(items);
}

/** Platforms that answer the same small book every time, and count how often they were read. */
function fixedSources(reads: { invoices: number }): FigureSources {
  const invoice = (status: string, total: number, outstanding: number, issueDate: string) => ({
    status,
    currency: 'EUR',
    issueDate,
    total: eur(total),
    amountOutstanding: eur(outstanding),
  });
  return {
    erp: {
      listInvoices: () => {
        reads.invoices++;
        return page([
          invoice('paid', 100_000, 0, '2026-11-05'),
          invoice('posted', 50_000, 50_000, '2026-11-20'),
          invoice('on-hold', 30_000, 30_000, '2026-11-25'),
          invoice('draft', 20_000, 20_000, '2026-11-30'),
        ]) as never;
      },
    },
    time: {
      timeEntryPages: () =>
        pages([{ engagementId: 'e1', workDate: '2026-11-23', billable: true, durationHours: '30.00', durationMinutes: 1800 }]) as never,
    },
    scheduling: { listResources: () => page([{ status: 'active', capacityMinutesPerWeek: 2400 }]) as never },
    forecast: { listWeeklyForecast: async () => [{ engagementId: 'e1', weekStart: '2026-11-23', plannedMinutes: 2400 }] },
    billing: {
      listUnbilledWork: () => page([{ amount: eur(12_345) }]),
      listBillingHolds: () => page([{ waitingAmount: eur(5_000) }]),
    },
  };
}

const silent = pino({ level: 'silent' });

/** The figures over a 30-day window kept 2 days, on one store, from the given platforms. */
const figuresOn = (store: Store, sources: FigureSources, computedBy = 'replica-a', metrics?: BusinessFiguresMetrics) =>
  createBusinessFiguresApi({
    store,
    logger: silent,
    shape: { journeys: journeysOf([]), webhookSources: [] },
    sources,
    windowDays: 30,
    retentionDays: 2,
    computedBy,
    ...(metrics ? { metrics } : {}),
  });

for (const engine of testEngines()) {
  describe(`business figures (${engine.name})`, () => {
    const stores: Store[] = [];
    afterAll(async () => {
      for (const s of stores) await s.close();
      await engine.cleanup();
    });

    it('computes once per period with two replicas, and each replica shows the last computation', async () => {
      const url = await engine.freshUrl();
      const logger = silent;
      const replicas = [];
      const reads = { invoices: 0 };
      for (const name of ['replica-a', 'replica-b']) {
        const store = createStore({ databaseUrl: url });
        stores.push(store);
        if (replicas.length === 0) await migrateToLatest(store);
        const registry = new Registry();
        const metrics = promBusinessFiguresMetrics(registry);
        const api = figuresOn(store, fixedSources(reads), name, metrics);
        const schedule = new BusinessFiguresSchedule(api, { db: store.db, everyMs: PERIOD, workerId: name, logger, metrics });
        replicas.push({ api, schedule, registry });
      }
      const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
      const t0 = Date.UTC(2026, 11, 3, 10, 0, 0);
      const round = (now: number) => Promise.all([a.schedule.round(now), b.schedule.round(now)]);

      expect((await round(t0)).filter(Boolean), 'computations in the first period').toHaveLength(1);
      expect((await round(t0 + PERIOD / 2)).filter(Boolean), 'computations later in the same period').toHaveLength(0);
      expect((await round(t0 + PERIOD)).filter(Boolean), 'computations in the next period').toHaveLength(1);
      // The replica that did not compute shows the stored figures when it next wakes (twice a period).
      expect((await round(t0 + PERIOD + PERIOD / 2)).filter(Boolean), 'computations later in that period').toHaveLength(0);
      expect(reads.invoices, 'the platforms were read once per computation').toBe(2);

      const latest = await b.api.latest();
      expect(latest?.computedAtMs).toBe(t0 + PERIOD);
      const byName = Object.fromEntries(latest!.figures.map((f) => [f.name, f]));
      // 50,000 open of 150,000 issued in the window, over 30 days: 10 days.
      expect(byName.dso).toMatchObject({ value: 10, amounts: [eur(50_000)] });
      // 30 billable hours of 40 h a week for 30/7 weeks.
      expect(byName['billable-utilisation']!.value).toBe(Math.round((30 / (40 * (30 / 7))) * 10_000) / 10_000);
      // 40 h planned, 30 h recorded in the week of 23 November: 1 − 10/40.
      expect(byName['forecast-accuracy']!.value).toBe(0.75);
      expect(byName['unbilled-work']!.amounts).toEqual([eur(12_345)]);
      expect(byName['held-work']!.amounts, 'the invoice on hold and the work under a billing hold').toEqual([eur(35_000)]);
      expect(byName['invoice-posting-backlog']).toMatchObject({ value: 1, amounts: [eur(20_000)] });
      expect(byName['revenue-at-risk']).toMatchObject({ value: null, amounts: [], basis: 'reconciliation not available' });

      for (const { registry } of replicas) {
        const text = await registry.metrics();
        expect(text, 'both replicas show the last computation').toContain('layer_business_dso_days 10');
        expect(text).toContain('layer_business_unbilled_work_minor{currency="EUR"} 12345');
        expect(text).toContain(`layer_business_figures_computed_timestamp_seconds ${(t0 + PERIOD) / 1000}`);
      }

      const trends = await a.api.trends({ hours: 24 * 365 * 10 });
      const dso = trends.find((t) => t.figure === 'dso');
      expect(
        dso?.points.map((p) => p.atMs),
        'one point per computation, oldest first',
      ).toEqual([t0, t0 + PERIOD]);
      expect(trends.find((t) => t.figure === 'held-work')).toMatchObject({ unit: 'money', currency: 'EUR' });
      expect(trends.map((t) => t.figure)).toEqual(expect.arrayContaining(['open-dead-letters', 'undispatched-events', 'failed-runs']));

      await a.schedule.round(t0 + 3 * DAY);
      const kept = await a.api.trends({ hours: 24 * 365 * 10, figure: 'dso' });
      expect(
        kept[0]?.points.map((p) => p.atMs),
        'computations older than the two days kept are deleted',
      ).toEqual([t0 + 3 * DAY]);
    });

    it('sums the money at risk of open exceptions per currency, and leaves out only the figures whose platform failed', async () => {
      const store = createStore({ databaseUrl: await engine.freshUrl() });
      stores.push(store);
      await migrateToLatest(store);
      const sources = fixedSources({ invoices: 0 });
      const api = figuresOn(store, {
        ...sources,
        scheduling: { listResources: () => Promise.reject(new Error('Float answered 503')) },
        reconciliation: {
          businessViews: async () => [
            { openExceptions: 2, moneyAtRisk: [eur(700), { amountMinor: 90, currency: 'GBP' }] },
            { openExceptions: 1, moneyAtRisk: [eur(300)] },
            { openExceptions: 0, moneyAtRisk: [] },
          ],
        },
      });
      const now = Date.UTC(2026, 11, 3, 10, 0, 0);
      const byName = Object.fromEntries((await api.compute(now)).figures.map((f) => [f.name, f]));
      expect(byName['revenue-at-risk']).toMatchObject({
        value: null,
        amounts: [eur(1000), { amountMinor: 90, currency: 'GBP' }],
        basis: '3 open exceptions; EUR 10.00, GBP 0.90',
      });
      expect(byName['billable-utilisation']).toMatchObject({ value: null, amounts: [] });
      expect(byName['billable-utilisation']!.basis).toBe('Not computed: scheduling resources could not be read (Float answered 503)');
      expect(byName['forecast-accuracy']!.value, 'a figure that does not need the failed platform').toBe(0.75);
      const trends = await api.trends({ hours: 24 * 365 * 10 });
      expect(trends.find((t) => t.figure === 'open-exceptions')?.points).toEqual([{ atMs: now, value: 3 }]);
      expect(
        trends.find((t) => t.figure === 'billable-utilisation'),
        'no point without a value',
      ).toBeUndefined();
    });

    it('rates engagements one by one when the listing fails on one, counting those it cannot rate, and not past 100', async () => {
      const store = createStore({ databaseUrl: await engine.freshUrl() });
      stores.push(store);
      await migrateToLatest(store);
      const unknown = new Error('No engagement e2 in ERP.');
      const compute = async (engagements: number) => {
        const waiting = Array.from({ length: engagements }, (_, i) => ({ engagementId: `e${i + 1}`, billable: true }));
        const api = figuresOn(store, {
          ...fixedSources({ invoices: 0 }),
          time: {
            timeEntryPages: ((query: { approvalStatus?: string }) =>
              query.approvalStatus === 'approved' ? pages(waiting) : pages([])) as never,
          },
          billing: {
            listUnbilledWork: (query: { engagementId?: string }) =>
              query.engagementId === 'e1' ? page([{ amount: eur(400) }]) : Promise.reject(unknown),
            listBillingHolds: () => page([]),
          },
        });
        const figures = (await api.compute(Date.UTC(2026, 11, 3, 10, 0, engagements))).figures;
        return figures.find((f) => f.name === 'unbilled-work')!;
      };
      expect(await compute(2)).toMatchObject({
        amounts: [eur(400)],
        basis: '1 engagement with unbilled work; 1 with approved time time-to-billing could not rate (No engagement e2 in ERP.); EUR 4.00',
      });
      const many = await compute(101);
      expect(many.amounts).toEqual([]);
      expect(many.basis).toBe(
        'Not computed: unbilled work could not be read (No engagement e2 in ERP.; 101 engagements are too many to rate one by one)',
      );
    });
  });
}
