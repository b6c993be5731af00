// The CRM catch-up poll: a deal won while the layer was down longer than the change events are
// kept is still provisioned, once; with the change stream and the poll both on, a deal seen by
// both provisions once. Counted on the platforms' own query APIs. The operations API shows
// each change feed with its lag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursor } from '../../core/change-capture/index.js';
import { CRM_POLLED_SOURCE, OPPORTUNITY_STREAM, PROVISION_WORKFLOW } from '../../process-apis/opportunity-to-project/index.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import { OPPORTUNITY_FEED_SETTLE_MS } from '../../system-apis/crm/index.js';
import { bearer, type Json } from '../gateway/support.js';
import { startOperationsGateway } from '../support/operations-gateway.js';
import { testEngines } from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';
import { callJson } from './support/http.js';
import { crmProvisionedCount, crmSoql, erpProjectCount } from './support/platform-counts.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { usDeal } from './support/us-deal.js';

for (const engine of testEngines()) {
  describe(`opportunity to project from the CRM catch-up poll (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;

    beforeAll(async () => {
      h = await startCrmHarness(engine, { crmPollIntervalMs: 250 });
      auth = await h.headers('process:read');
    }, 60_000);
    afterAll(async () => {
      await h?.close();
    });

    const retention = (retentionSeconds: number) =>
      fetch(`${h.sandboxUrls.crm}/_sandbox/change-events`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ retentionSeconds }),
      });

    async function openDeal(name: string): Promise<Opportunity> {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find((c) => c.billingCountry === 'US')!;
      return h.systemApis.crm.createOpportunity(usDeal(client.id, name, 'negotiation'));
    }

    const provisioned = (deal: Opportunity) =>
      waitFor(
        async () =>
          (await callJson<Json>(h.gateway.url, 'GET', `/process/opportunity-to-project/v1/opportunities/${deal.id}/provisioning`, auth))
            .body.status as string | undefined,
        { until: (s) => s === 'completed', what: `${deal.name} to be provisioned`, timeoutMs: 90_000, intervalMs: 500 },
      );

    /** Waits for a complete poll pass that reads past now, then for the inbox and the runs it started to finish. */
    async function settled(): Promise<void> {
      // The poll reads only seconds that ended OPPORTUNITY_FEED_SETTLE_MS ago.
      const mark = Date.now() + OPPORTUNITY_FEED_SETTLE_MS + 1_000;
      await waitFor(() => readCursor(h.store.db, OPPORTUNITY_STREAM), {
        until: (c) => (c?.caughtUpAt?.getTime() ?? 0) > mark,
        what: 'a complete pass of the CRM poll',
      });
      await waitFor(
        async () => {
          const inbox = await h.store.db.selectFrom('inbox_messages').select('webhook_id').where('state', '!=', 'processed').execute();
          const runs = await h.store.db
            .selectFrom('workflow_runs')
            .select('id')
            .where('state', 'in', ['pending', 'running', 'waiting'])
            .execute();
          return inbox.length + runs.length;
        },
        { until: (n) => n === 0, what: 'the inbox and the runs to finish' },
      );
    }

    const provisioningRuns = async (deal: Opportunity) =>
      (
        await h.store.db
          .selectFrom('workflow_runs')
          .select('id')
          .where('definition', '=', PROVISION_WORKFLOW)
          .where((eb) => eb.or([eb('run_key', '=', deal.id), eb('run_key', 'like', `${deal.id}#%`)]))
          .execute()
      ).length;

    /** Inbox messages about the deal: polled ones, and streamed change events that carry its win. */
    async function inboxFor(deal: Opportunity): Promise<{ polled: number; streamedWins: number }> {
      const [record] = (await crmSoql<{ Id: string }>(h.sandboxUrls.crm!, `SELECT Id FROM Opportunity WHERE Name = '${deal.name}'`))
        .records;
      const rows = await h.store.db
        .selectFrom('inbox_messages')
        .select(['source', 'body'])
        .where('source', 'in', ['crm', CRM_POLLED_SOURCE])
        .execute();
      const mine = rows.filter((r) => r.body.includes(record!.Id));
      return {
        polled: mine.filter((r) => r.source === CRM_POLLED_SOURCE).length,
        streamedWins: mine.filter((r) => r.source === 'crm' && r.body.includes('"Closed Won"')).length,
      };
    }

    /** One provisioning run, one ERP project (SuiteQL), and the CRM shows it (SOQL). */
    async function expectProvisionedOnce(deal: Opportunity): Promise<void> {
      expect(await provisioningRuns(deal), 'provisioning runs of the deal').toBe(1);
      expect(await erpProjectCount(h.sandboxUrls.erp!, deal.name), 'ERP projects of the deal, by SuiteQL').toBe(1);
      expect(await crmProvisionedCount(h.sandboxUrls.crm!, deal.name), 'the CRM shows its ERP project, by SOQL').toBe(1);
    }

    it('provisions once a deal won while the layer was down longer than the change event retention', async () => {
      const deal = await openDeal('Catch-up while down');
      await h.crmEventsRecorded();
      await h.journeys.stop();
      await h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });
      // The CRM forgets every event so far, as 72 hours of downtime would make it.
      expect((await retention(0)).ok, 'retention shortened').toBe(true);
      expect((await retention(72 * 3600)).ok, 'retention restored').toBe(true);
      h.journeys.start();

      await provisioned(deal);
      await settled();
      const seen = await inboxFor(deal);
      expect(seen.streamedWins, 'change events of the win the stream delivered (none: they had expired)').toBe(0);
      expect(seen.polled, 'polled changes of the won deal (the win, then the project written back)').toBeGreaterThanOrEqual(1);
      await expectProvisionedOnce(deal);
    }, 180_000);

    it('with the stream and the poll both on, a won deal seen by both provisions once', async () => {
      const deal = await openDeal('Catch-up both paths');
      await h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });
      await provisioned(deal);
      await h.crmEventsRecorded();
      await settled();
      const seen = await inboxFor(deal);
      expect(seen.streamedWins, 'the change event of the win, recorded from the stream').toBe(1);
      expect(seen.polled, 'polled changes of the won deal').toBeGreaterThanOrEqual(1);
      await expectProvisionedOnce(deal);
    }, 180_000);

    it('lists the CRM stream, the CRM poll and the scheduling poll with their lag in the operations API', async () => {
      const ops = await startOperationsGateway(h.store, {}, { systemApis: { crm: h.systemApis.crm } });
      try {
        const feeds = (tokenValue: string | undefined) =>
          fetch(`${ops.gateway.url}/experience/operations/v1/change-feeds`, { headers: tokenValue ? bearer(tokenValue) : {} });
        expect((await feeds(undefined)).status, 'without a token').toBe(401);
        const refused = await feeds(ops.tokens.other);
        expect(refused.status, 'a token without ops:read').toBe(403);
        expect(refused.headers.get('content-type'), 'problem details').toMatch(/^application\/problem\+json/);

        const res = await feeds(ops.tokens.read);
        expect(res.status, 'with ops:read').toBe(200);
        const items = ((await res.json()) as { items: Json[] }).items;
        const byStream = new Map(items.map((f) => [f.stream as string, f]));
        const stream = byStream.get(h.systemApis.crm.changeStream!.stream);
        expect(stream, 'the CRM change stream').toMatchObject({ platform: 'crm', connected: true, lagSeconds: 0 });
        expect(stream!.position, 'its replay id').toMatch(/^replayId \d+$/);
        const poll = byStream.get(OPPORTUNITY_STREAM);
        expect(poll, 'the CRM catch-up poll').toMatchObject({ platform: 'crm' });
        expect(poll!.position, 'its watermark and tie-breaker').toMatch(/^watermark \S+Z, lastId 006\w+$/);
        expect(poll!.lagSeconds, 'its lag, from its last complete pass').toEqual(expect.any(Number));
        expect(poll!.changesRecorded, 'the won deals it recorded above').toBeGreaterThanOrEqual(2);
        expect(poll!.connected, 'a poll has no connection').toBeUndefined();
        const scheduling = byStream.get('scheduling:assignments');
        expect(scheduling, 'the scheduling poll').toMatchObject({ platform: 'scheduling' });
        expect(scheduling!.lagSeconds, 'its lag').toEqual(expect.any(Number));
      } finally {
        await ops.close();
      }
    }, 120_000);
  });
}
