// The clean-seed suite, one file per engine (reconciliation.clean-seed.<engine>.test.ts) so that with
// two or more test workers the engines' waits on Harvest's rate limit overlap: the large seed's sandboxes,
// brought in step by the layer's own journeys as production would (deals won on the CRM and
// provisioned, time logged and approved in Harvest and billed, billing status carried to the CRM),
// then every check compares the platforms' records and finds no mismatch, having compared the seed's.
// A pass lists Harvest's 200,000 entries in 100 pages of 2,000, within its 100 requests per 15 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingStatusToCrmChecks } from '../../../process-apis/billing-status-to-crm/index.js';
import { createReconciliation, type ReconciliationApi } from '../../../process-apis/reconciliation/index.js';
import { timeToBillingChecks } from '../../../process-apis/time-to-billing/index.js';
import { testEngines, type TestEngine } from '../../support/stores.js';
import { billingRules } from './billing-deps.js';
import { until } from './http.js';
import { logAndApproveNovember, NOVEMBER, resetToLargeSeed, settled, winDeals } from './large-seed.js';
import { startCrmHarness, type CrmHarness } from './provisioning-harness.js';

/** Deals won on the CRM seed; each gets entries a week of November (PER_WEEK) on its Harvest project. */
const DEALS = 6;
const PER_WEEK = 2;

/**
 * The suite on the named engine; nothing runs when the engine is not configured (PostgreSQL without
 * TEST_DATABASE_URL), or when `skip` gives a reason (printed, so a skipped run says so).
 */
export function cleanSeedSuite(engineName: TestEngine['name'], skip?: string): void {
  const engine = testEngines().find((e) => e.name === engineName);
  if (engine && skip) console.warn(`[test] clean large seed on ${engineName} skipped: ${skip}`);
  describe.skipIf(!engine || skip !== undefined)(`reconciliation on a clean large seed (${engineName})`, () => {
    let h: CrmHarness;
    let reconciliation: ReconciliationApi;
    let engagements: string[];
    let entries: number;

    beforeAll(async () => {
      h = await startCrmHarness(engine!, { crmPollIntervalMs: 1_000 });
      await resetToLargeSeed(h);
      engagements = await winDeals(h, DEALS);
      entries = await logAndApproveNovember(h, engagements, PER_WEEK);
      const billing = h.journeys.apis.timeToBilling;
      for (const engagementId of engagements) {
        const { run } = await billing.startRun({ ...NOVEMBER, engagementId }, 'api');
        const done = await until(
          () => billing.getRun(run.id),
          (r) => ['succeeded', 'failed'].includes(r.status),
          'billing run',
        );
        if (done.status !== 'succeeded') throw new Error(`billing ${engagementId} ${done.status}: ${JSON.stringify(done)}`);
      }
      // ERP's invoice events reach the CRM by the journey; its catch-up brings the clients' other invoices in.
      await settled(h, ['billing-status-to-crm'], 'billing status runs');
      await h.journeys.apis.billingStatusToCrm.reconcile();
      await settled(h, ['billing-status-to-crm'], 'billing status runs after the catch-up');
      // The journeys' checks as the process layer registers them; those it does not register yet, beside them.
      const deps = { store: h.store, erp: h.systemApis.erp, time: h.systemApis.time, rules: billingRules() };
      const registered = new Set(h.journeys.apis.reconciliation.checks.map((c) => c.name));
      const checks = [
        ...h.journeys.apis.reconciliation.checks,
        ...[
          ...timeToBillingChecks(deps, billing),
          ...billingStatusToCrmChecks({ store: h.store, erp: h.systemApis.erp, crm: h.systemApis.crm }, h.journeys.apis.billingStatusToCrm),
        ].filter((c) => !registered.has(c.name)),
      ];
      reconciliation = createReconciliation({ config: h.config, logger: h.logger, store: h.store }, checks).api;
    }, 600_000);

    afterAll(async () => {
      await h?.close();
      await engine?.cleanup();
    });

    it('reports nothing, having compared the seed’s records', { timeout: 600_000 }, async () => {
      const pass = await reconciliation.runPass({ repair: false, trigger: 'command', actor: { consumer: 'clean-seed-test' } });
      const compared = new Map(pass.checks.map((c) => [c.check, c.compared]));
      expect(pass.status, pass.error ?? '').toBe('completed');
      expect(
        pass.checks.filter((c) => c.error),
        'no check failed',
      ).toEqual([]);
      expect(pass.found, 'findings on a clean seed').toBe(0);
      expect((await reconciliation.listExceptions({ limit: 5 })).items, 'exceptions').toEqual([]);
      // Harvest's entries are listed up to the end of November, the latest period billed: the seed's 200,000 and the deals'.
      expect(compared.get('approved-time-billed'), 'every Harvest entry up to November’s end').toBeGreaterThanOrEqual(200_000 + entries);
      expect(compared.get('invoices-match-erp'), 'each invoice the layer posted, against ERP’s').toBeGreaterThanOrEqual(DEALS);
      expect(compared.get('invoices-blocked'), 'ERP’s invoices, for holds').toBeGreaterThanOrEqual(DEALS);
      expect(compared.get('crm-billing-status'), 'each won deal and its CRM account').toBeGreaterThan(DEALS);
      expect(pass.compared, 'records compared in all').toBeGreaterThanOrEqual(200_000 + entries + 3 * DEALS);
    });
  });
}
