// Reconciliation of won deals with their projects, on both engines: mismatches made behind the
// layer's back on the sandboxes (a deal won while the layer was stopped, an ERP project deleted in
// ERP, the CRM's project field cleared, a provisioning run that failed, terms refused) are each
// found with their records and money, the safe ones repaired through the journey, and counted
// afterwards on the platforms' own APIs (ERP's SuiteQL, the CRM's SOQL). A clean seed reports nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext, Finding, ReconciliationCheck, StoredFinding } from '../../process-apis/kit/reconciliation.js';
import {
  opportunityToProjectChecks,
  PROVISIONING_RUNS_CHECK,
  WON_DEAL_SETTLE_MS,
  WON_DEALS_CHECK,
} from '../../process-apis/opportunity-to-project/index.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, until } from './support/http.js';
import { crmSoql, crmUpdate, erpDelete, erpProjectCount, erpProjectIds } from './support/platform-counts.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { usDeal } from './support/us-deal.js';

interface PassContext extends CheckContext {
  count: number;
}

function passContext(now = new Date()): PassContext {
  const ctx: PassContext = {
    now,
    count: 0,
    compared(n) {
      ctx.count += n;
    },
    signal: new AbortController().signal,
  };
  return ctx;
}

const stored = (finding: Finding): StoredFinding => ({ ...finding, exceptionId: `test-${finding.key}` });
const operator = { consumer: 'ops-console', subject: 'operator@example.com' };

for (const engine of testEngines()) {
  describe(`opportunity to project reconciliation (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    let wonDeals: ReconciliationCheck;
    let failedRuns: ReconciliationCheck;
    const clean: Opportunity[] = [];

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      auth = await h.headers('process:read');
      const checks = opportunityToProjectChecks(
        {
          db: h.store.db,
          crm: h.systemApis.crm,
          erp: h.systemApis.erp,
          kick: () => h.journeys.engine.kick(),
        },
        h.journeys.apis.opportunityToProject,
      );
      wonDeals = checks.find((c) => c.name === WON_DEALS_CHECK)!;
      failedRuns = checks.find((c) => c.name === PROVISIONING_RUNS_CHECK)!;
    }, 60_000);
    afterAll(async () => h?.close());

    async function openDeal(name: string, terms: Partial<Opportunity['contractTerms']> = {}): Promise<Opportunity> {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find((c) => c.billingCountry === 'US')!;
      const deal = usDeal(client.id, name, 'negotiation');
      return h.systemApis.crm.createOpportunity({ ...deal, contractTerms: { ...deal.contractTerms, ...terms } });
    }

    const provisioning = (deal: Opportunity) =>
      callJson<Json>(h.gateway.url, 'GET', `/process/opportunity-to-project/v1/opportunities/${deal.id}/provisioning`, auth);

    /** Waits for the deal's latest provisioning to reach `status` (completed, rejected or failed). */
    const settledAs = (deal: Opportunity, status: string) =>
      until(
        () => provisioning(deal),
        (res) => res.body?.status === status,
        `${deal.name} provisioning ${status}`,
        90_000,
      ).then((res) => res.body);

    async function win(deal: Opportunity, status = 'completed'): Promise<Json> {
      await h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });
      return settledAs(deal, status);
    }

    const mine = (findings: Finding[], deal: Opportunity) => findings.filter((f) => f.records[0]?.canonicalId === deal.id);
    const crmProject = async (deal: Opportunity) =>
      (
        await crmSoql<{ ERP_Project_Id__c: string | null }>(
          h.sandboxUrls.crm!,
          `SELECT ERP_Project_Id__c FROM Opportunity WHERE Name = '${deal.name}'`,
        )
      ).records[0]?.ERP_Project_Id__c ?? null;
    const crmId = async (deal: Opportunity) =>
      (await crmSoql<{ Id: string }>(h.sandboxUrls.crm!, `SELECT Id FROM Opportunity WHERE Name = '${deal.name}'`)).records[0]!.Id;

    it('reports nothing on a clean seed once the won deals are provisioned', async () => {
      for (const name of ['Recon clean A', 'Recon clean B', 'Recon clean C']) {
        const deal = await openDeal(`${name} ${engine.name}`);
        await win(deal);
        clean.push(deal);
      }
      const ctx = passContext();
      expect(await wonDeals.run(ctx), 'won deals, ERP projects and the CRM field agree').toEqual([]);
      expect(ctx.count, 'won deals compared').toBeGreaterThanOrEqual(3);
      expect(await failedRuns.run(passContext()), 'no failed provisioning run').toEqual([]);
    }, 180_000);

    it('finds a deal won while the layer was stopped once it has settled, and provisions it once on repair', async () => {
      const deal = await openDeal(`Recon won while down ${engine.name}`);
      await h.crmEventsRecorded();
      await h.journeys.stop();
      await h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });
      // The CRM forgets the win's change event, as a long outage would make it; no poll runs here.
      for (const retentionSeconds of [0, 72 * 3600]) {
        const res = await fetch(`${h.sandboxUrls.crm}/_sandbox/change-events`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ retentionSeconds }),
        });
        expect(res.ok, 'retention set').toBe(true);
      }
      h.journeys.start();

      expect(mine(await wonDeals.run(passContext()), deal), 'a deal that changed just now is still on its way').toEqual([]);
      const later = new Date(Date.now() + WON_DEAL_SETTLE_MS + 1_000);
      const [finding, ...others] = mine(await wonDeals.run(passContext(later)), deal);
      expect(others, 'one finding for the deal').toEqual([]);
      expect(finding, 'the won deal without a project').toMatchObject({
        type: 'won-deal-without-project',
        key: deal.id,
        moneyAtRisk: { amountMinor: 2_000_000, currency: 'USD' },
        since: new Date('2026-11-20T00:00:00Z'),
        repair: { safe: true, action: 'start-provisioning' },
        run: null,
      });
      const id = await crmId(deal);
      expect(finding!.records, 'the CRM opportunity by its own id, with its Lightning page').toEqual([
        {
          platform: 'crm',
          entity: 'opportunity',
          id,
          canonicalId: deal.id,
          label: deal.name,
          url: `${h.sandboxUrls.crm}/lightning/r/Opportunity/${id}/view`,
        },
      ]);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'no ERP project yet, by SuiteQL').toBe(0);

      const repaired = await wonDeals.repair(stored(finding!), operator);
      expect(repaired.runId, 'the provisioning run the repair started').toEqual(expect.any(String));
      await settledAs(deal, 'completed');
      // A second repair (a pass that saw the finding before the first finished) provisions nothing more.
      expect((await wonDeals.repair(stored(finding!), operator)).runId, 'the same run').toBe(repaired.runId);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'one ERP project, by SuiteQL').toBe(1);
      expect(await crmProject(deal), 'the CRM shows it, by SOQL').toEqual(expect.any(String));
      expect(mine(await wonDeals.run(passContext(later)), deal), 'found no more').toEqual([]);
    }, 180_000);

    it("finds an ERP project deleted behind the layer's back, and an operator's re-provision makes one project", async () => {
      const deal = clean[0]!;
      const before = (await provisioning(deal)).body;
      const [jobId, ...more] = await erpProjectIds(h.sandboxUrls.erp!, deal.name);
      expect(more, 'one ERP project before').toEqual([]);
      await erpDelete(h.sandboxUrls.erp!, 'job', jobId!);

      const [finding, ...others] = mine(await wonDeals.run(passContext()), deal);
      expect(others, 'one finding for the deal').toEqual([]);
      expect(finding, 'the missing ERP project').toMatchObject({
        type: 'erp-project-missing',
        key: `${deal.id}:${before.engagementId}`,
        moneyAtRisk: { amountMinor: 2_000_000, currency: 'USD' },
        repair: { safe: false, action: 'reprovision' },
      });
      expect(
        finding!.records.map((r) => [r.platform, r.entity, r.id]),
        'the deal, the deleted job and the run',
      ).toEqual([
        ['crm', 'opportunity', await crmId(deal)],
        ['erp', 'project', jobId],
        ['layer', 'run', before.runId],
      ]);
      // The configured account's UI host (ERP_ACCOUNT_ID), the project record's page.
      expect(finding!.records[1]!.url, "the project's page in NetSuite").toBe(
        `https://${h.config.platforms.erp.accountId.toLowerCase()}.app.netsuite.com/app/accounting/project/project.nl?id=${jobId}`,
      );

      const repaired = await wonDeals.repair(stored(finding!), operator);
      expect(repaired.runId, 'a new provisioning run').not.toBe(before.runId);
      const after = await settledAs(deal, 'completed');
      expect(after.runId, 'the latest provisioning is the repair').toBe(repaired.runId);
      expect(after.engagementId, 'a new ERP project').not.toBe(before.engagementId);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'one ERP project again, by SuiteQL').toBe(1);
      expect(await crmProject(deal), 'the CRM shows the new project, by SOQL').toBe(after.erpProjectCode);
      const [staffing] = after.staffingRequestIds as string[];
      expect(staffing, 'a staffing request of its own').not.toBe((before.staffingRequestIds as string[])[0]);
      expect(await h.systemApis.scheduling.getStaffingRequest(staffing!), 'for the new project').toMatchObject({
        engagementId: after.engagementId,
      });
      // Repeated, the repair finds the deal provisioned again and starts nothing.
      expect((await wonDeals.repair(stored(finding!), operator)).runId, 'the same run').toBe(repaired.runId);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'still one ERP project').toBe(1);
      await expect(
        h.journeys.apis.opportunityToProject.reprovision(deal.id, after.engagementId as string),
        'a project ERP still has is not provisioned again',
      ).rejects.toMatchObject({ status: 409 });
      expect(mine(await wonDeals.run(passContext()), deal), 'found no more').toEqual([]);
    }, 180_000);

    it("finds the CRM's ERP project field cleared behind the layer's back, and writes it back", async () => {
      const deal = clean[1]!;
      const code = await crmProject(deal);
      expect(code, 'written back by provisioning').toEqual(expect.any(String));
      await crmUpdate(h.sandboxUrls.crm!, 'Opportunity', await crmId(deal), { ERP_Project_Id__c: null });
      await h.crmEventsRecorded();

      const [finding, ...others] = mine(await wonDeals.run(passContext()), deal);
      expect(others, 'one finding for the deal').toEqual([]);
      expect(finding, 'the CRM field lacks the project').toMatchObject({
        type: 'crm-project-link-missing',
        key: `${deal.id}:none:${code}`,
        moneyAtRisk: null,
        since: expect.any(Date),
        repair: { safe: true, action: 'write-back-project' },
      });
      expect(finding!.records[1], 'the ERP project').toMatchObject({ platform: 'erp', entity: 'project', label: code });

      await wonDeals.repair(stored(finding!), operator);
      expect(await crmProject(deal), 'the CRM shows the project again, by SOQL').toBe(code);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'no second ERP project').toBe(1);
      expect(mine(await wonDeals.run(passContext()), deal), 'found no more').toEqual([]);
    }, 120_000);

    it('reports a failed provisioning run with its step, not a refused one; retried on repair it provisions once', async () => {
      const failing = await openDeal(`Recon failed run ${engine.name}`);
      const refused = await openDeal(`Recon refused ${engine.name}`, { rateCardCode: null });
      // ERP refuses every project write: the create-project step fails at once (a refusal is not retried).
      await h.faults('erp', { errorRate: 1, errorStatus: 400, paths: '/services/rest/record/v1/job' });
      try {
        await win(failing, 'failed');
      } finally {
        await h.faults('erp', { errorRate: 0, paths: null });
      }
      await win(refused, 'rejected');

      const runs = await failedRuns.run(passContext());
      expect(mine(runs, refused), 'a refused deal is not a failed run').toEqual([]);
      const [failed, ...others] = mine(runs, failing);
      expect(others, 'one finding for the failed run').toEqual([]);
      expect(failed, 'the failed run').toMatchObject({
        type: 'provisioning-run-failed',
        title: `Provisioning of "${failing.name}" failed`,
        moneyAtRisk: { amountMinor: 2_000_000, currency: 'USD' },
        repair: { safe: false, action: 'retry-run' },
        run: { workflow: 'opportunity-to-project', step: 'create-project', state: 'failed' },
      });
      expect(failed!.records[0], 'the CRM opportunity').toMatchObject({
        platform: 'crm',
        entity: 'opportunity',
        id: await crmId(failing),
        canonicalId: failing.id,
        label: failing.name,
      });

      const later = passContext(new Date(Date.now() + WON_DEAL_SETTLE_MS + 1_000));
      const won = await wonDeals.run(later);
      expect(mine(won, failing), 'the failed run is reported once, by provisioning-runs').toEqual([]);
      expect(mine(won, refused), 'the refused deal').toMatchObject([
        { type: 'won-deal-refused', repair: { safe: false, action: 'start-provisioning' } },
      ]);
      expect(mine(won, refused)[0]!.detail, 'with the reason').toMatch(/rate/i);

      await failedRuns.repair(stored(failed!), operator);
      await settledAs(failing, 'completed');
      expect(await erpProjectCount(h.sandboxUrls.erp!, failing.name), 'one ERP project, by SuiteQL').toBe(1);
      expect(mine(await failedRuns.run(passContext()), failing), 'found no more').toEqual([]);
    }, 180_000);
  });
}
