// The reconciliation schedules, turned on as a test may: two replicas on one store run the live
// checks period after period, never two passes at once, repair the safe findings (auto-repair on),
// and leave the platforms checks to the full pass.
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { loadConfig } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import { fakeCheck, wonDealWithoutProject } from '../../test/support/reconciliation-checks.js';
import { testEngines } from '../../test/support/stores.js';
import { waitFor } from '../../test/support/wait-for.js';
import { createReconciliation, promReconciliationMetrics } from './index.js';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const logger = createLogger(config.runtime);

for (const engine of testEngines()) {
  describe(`reconciliation schedules (${engine.name})`, () => {
    const stores: Store[] = [];
    afterAll(async () => {
      for (const s of stores) await s.close();
      await engine.cleanup();
    });

    it('runs the live checks on every period across two replicas, one pass at a time, repairing safe findings', async () => {
      const url = await engine.freshUrl();
      const replicas = [0, 1].map((i) => {
        const store = createStore({ databaseUrl: url });
        stores.push(store);
        const failedRuns = fakeCheck({ name: 'failed-runs', reads: 'layer' });
        failedRuns.findings = [wonDealWithoutProject('006S1', { safe: true })];
        failedRuns.repairRunId = '01a216af-0000-7000-8000-00000000c0c0'; // a run still going: the exception stays repairing
        const platforms = fakeCheck({ name: 'platform-compare', reads: 'platforms' });
        const registry = new Registry();
        const recon = createReconciliation({ config, logger, store }, [failedRuns, platforms], {
          liveEveryMs: 200,
          passEveryMs: 0,
          holder: `replica-${i}`,
          metrics: promReconciliationMetrics(registry),
        });
        return { store, recon, failedRuns, platforms, registry };
      });
      await migrateToLatest(replicas[0].store);
      for (const r of replicas) r.recon.start();
      const api = replicas[0].recon.api;
      try {
        await waitFor(async () => (await api.listPasses({ limit: 200 })).items.filter((p) => p.status !== 'running').length, {
          until: (n) => n >= 4,
          what: 'four scheduled passes',
        });
      } finally {
        await Promise.all(replicas.map((r) => r.recon.stop()));
      }
      const passes = (await api.listPasses({ limit: 200 })).items.reverse();
      expect(new Set(passes.map((p) => p.trigger))).toEqual(new Set(['schedule']));
      expect(new Set(passes.flatMap((p) => p.checks.map((c) => c.check))), 'only the live checks').toEqual(new Set(['failed-runs']));
      for (let i = 1; i < passes.length; i++)
        expect(Date.parse(passes[i].startedAt), 'a pass starts after the one before it ended').toBeGreaterThanOrEqual(
          Date.parse(passes[i - 1].finishedAt ?? passes[i - 1].startedAt),
        );
      expect(
        replicas.map((r) => r.platforms.repairs.length + r.failedRuns.repairs.length).reduce((a, b) => a + b),
        'one repair in all',
      ).toBe(1);
      const [repairing] = (await api.listExceptions({ status: 'repairing' })).items;
      expect(repairing).toMatchObject({ type: 'won-deal-without-project', resolvedBy: 'reconciliation' });
      for (const r of replicas)
        expect(await r.registry.metrics(), 'each replica sets its gauges from the store').toContain(
          'layer_reconciliation_exceptions_open{question="failed-provisioning",type="won-deal-without-project"} 1',
        );
    });
  });
}
