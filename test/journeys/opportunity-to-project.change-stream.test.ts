// Won deals reach the journey through the CRM's Change Data Capture stream with a stored replay
// id: after downtime the layer resumes where it stopped and provisions each deal once; a stored
// id outside the retention window takes the reset path; with the relay on as well, a change
// seen on both paths is processed once, and the relay alone still works.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursor } from '../../core/change-capture/index.js';
import { loadConfig } from '../../core/config/index.js';
import { createLogger } from '../../core/observability/logger.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import { createCrmSystem, promCrmChangeStreamMetrics, type CrmChangeStream } from '../../system-apis/crm/index.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { settledSyncLatencyCount } from '../support/sync-latency.js';
import { waitFor } from '../support/wait-for.js';
import { callJson } from './support/http.js';
import { crmProvisionedCount as crmProvisioned, erpProjectCount as erpProjects } from './support/platform-counts.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { usDeal } from './support/us-deal.js';

for (const engine of testEngines()) {
  describe(`opportunity to project from the CRM change stream (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    let stream: CrmChangeStream;
    const closers: Array<() => Promise<void>> = [];
    const layerMetrics = new Registry();

    beforeAll(async () => {
      h = await startCrmHarness(engine, { registry: layerMetrics });
      auth = await h.headers('process:read');
      stream = h.systemApis.crm.changeStream!;
    }, 60_000);
    afterAll(async () => {
      for (const close of closers.reverse()) await close();
      await h?.close();
    });

    const crmAdmin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${h.sandboxUrls.crm}/_sandbox${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (res.status === 204 ? {} : await res.json()) as Json;
    };
    const latestReplayId = async () => (await crmAdmin('GET', '/change-events')).latestReplayId as number;
    const storedReplayId = async () => (await readCursor<{ replayId: number }>(h.store.db, stream.stream))?.position.replayId;
    const crmInboxCount = async () =>
      Number(
        (
          await h.store.db
            .selectFrom('inbox_messages')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('source', '=', 'crm')
            .executeTakeFirstOrThrow()
        ).n,
      );

    async function openDeals(n: number, prefix: string): Promise<Opportunity[]> {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find((c) => c.billingCountry === 'US')!;
      const deals: Opportunity[] = [];
      for (let i = 0; i < n; i++)
        deals.push(await h.systemApis.crm.createOpportunity(usDeal(client.id, `${prefix} ${i + 1}`, 'negotiation')));
      return deals;
    }

    const win = (deal: Opportunity) => h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });

    const provisioningStatus = async (deal: Opportunity) =>
      (await callJson<Json>(h.gateway.url, 'GET', `/process/opportunity-to-project/v1/opportunities/${deal.id}/provisioning`, auth)).body
        .status as string | undefined;

    const provisioned = (deal: Opportunity) =>
      // Polled gently: the gateway's rate limit counts these calls too.
      waitFor(() => provisioningStatus(deal), {
        until: (s) => s === 'completed',
        what: `${deal.name} to be provisioned`,
        timeoutMs: 90_000,
        intervalMs: 500,
      });

    const erpProjectCount = (deal: Opportunity) => erpProjects(h.sandboxUrls.erp!, deal.name);
    const crmProvisionedCount = (prefix: string) => crmProvisioned(h.sandboxUrls.crm!, prefix);

    it('resumes from the stored replay id after downtime and provisions each deal won meanwhile once', async () => {
      const [before, ...whileDown] = await openDeals(3, 'Stream restart');
      await win(before!);
      await provisioned(before!);
      await h.crmEventsRecorded();
      const stored = await storedReplayId();
      expect(stored, 'the replay id stored with the last recorded event').toBe(await latestReplayId());

      await stream.stop();
      const inboxWhenStopped = await crmInboxCount();
      for (const deal of whileDown) await win(deal);
      const published = await latestReplayId();
      expect(published - stored!, 'change events published while the layer was down').toBeGreaterThanOrEqual(whileDown.length);

      // A new process: its own CRM system API and change stream, on the same store.
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SANDBOXES: 'off' });
      const restarted = createCrmSystem({
        connection: config.platforms.crm,
        baseUrl: h.sandboxUrls.crm,
        store: h.store,
        logger: createLogger(config.runtime),
      });
      closers.push(() => restarted.close());
      const registry = new Registry();
      restarted.api.changeStream!.start({ metrics: promCrmChangeStreamMetrics(registry), onRecorded: () => h.journeys.inbox.kick() });
      for (const deal of whileDown) await provisioned(deal);
      // Provisioning wrote the ERP project back to the CRM: more events, all after the restart.
      await h.crmEventsRecorded();
      const latest = await latestReplayId();
      expect(await storedReplayId(), 'the stored replay id after the restart').toBe(latest);

      const received = (await registry.getSingleMetric('layer_crm_change_stream_events_received_total')!.get()).values;
      expect(
        received.reduce((sum, v) => sum + v.value, 0),
        'events received after the restart: only those after the stored replay id',
      ).toBe(latest - stored!);
      expect(await crmInboxCount(), 'one inbox message per event after the stored replay id').toBe(inboxWhenStopped + latest - stored!);
      for (const deal of [before!, ...whileDown]) expect(await erpProjectCount(deal), `ERP projects of ${deal.name}`).toBe(1);
      expect(await crmProvisionedCount('Stream restart'), 'deals the CRM shows with their ERP project').toBe(3);
      expect(
        await settledSyncLatencyCount(layerMetrics, 'opportunity-to-project', 3),
        "deals' sync latency observed once each, from their CRM change's commit to their provisioning",
      ).toBe(3);
      await restarted.close();
      closers.pop();
    }, 180_000);

    it('resubscribes with -2 when the stored replay id is outside the retention window, and counts it', async () => {
      const [lost, after] = await openDeals(2, 'Stream expired');
      // No stream runs now (the restarted one was closed): these changes wait on the bus.
      await win(lost!);
      // The window moves past everything published so far, the stored id included.
      await crmAdmin('PUT', '/change-events', { retentionSeconds: 0 });
      await crmAdmin('PUT', '/change-events', { retentionSeconds: 72 * 3600 });
      await win(after!);
      const registry = new Registry();
      stream.start({ metrics: promCrmChangeStreamMetrics(registry), onRecorded: () => h.journeys.inbox.kick() });
      await provisioned(after!);
      await h.crmEventsRecorded();
      const resets = (await registry.getSingleMetric('layer_crm_change_stream_replay_resets_total')!.get()).values;
      expect(
        resets.reduce((sum, v) => sum + v.value, 0),
        'replay id resets',
      ).toBe(1);
      expect(await storedReplayId(), 'the cursor moved on to the retained events').toBe(await latestReplayId());
      // The change made before the window moved was not received: the catch-up poll's job.
      expect(await provisioningStatus(lost!), 'the deal whose event expired').not.toBe('completed');
      expect(await erpProjectCount(after!)).toBe(1);
    }, 120_000);

    it('with the relay on, processes a change seen on both paths once, and the relay alone still provisions', async () => {
      const [both, relayOnly] = await openDeals(2, 'Stream relay');
      await crmAdmin('PUT', '/change-events', { relay: true });
      try {
        await h.crmEventsRecorded();
        const [inboxBefore, firstEvent] = [await crmInboxCount(), (await latestReplayId()) + 1];
        await win(both!);
        await provisioned(both!);
        await crmAdmin('POST', '/webhooks/drain');
        await h.crmEventsRecorded();
        const lastEvent = await latestReplayId();
        expect(lastEvent - firstEvent, 'the win and the write-back of the project were published').toBeGreaterThanOrEqual(1);
        expect(await crmInboxCount(), 'one inbox message per change, though the stream and the relay both delivered it').toBe(
          inboxBefore + lastEvent - firstEvent + 1,
        );
        const relayed = ((await crmAdmin('GET', '/webhooks')).deliveries as Json[]).filter((d) =>
          /ChangeEvent$/.test(d.eventType as string),
        );
        expect(relayed.length, 'relayed posts').toBeGreaterThanOrEqual(lastEvent - firstEvent + 1);
        for (const d of relayed) expect([200, 202], `answer to relayed ${d.webhookId}`).toContain(d.status);

        // The stream down, the relay alone delivers; the stream back replays the same changes as duplicates.
        await stream.stop();
        await win(relayOnly!);
        await provisioned(relayOnly!);
        await crmAdmin('POST', '/webhooks/drain');
        const afterRelay = await crmInboxCount();
        stream.start({ onRecorded: () => h.journeys.inbox.kick() });
        await h.crmEventsRecorded();
        expect(await crmInboxCount(), 'the streamed copies of relayed changes record nothing').toBe(afterRelay);
        for (const deal of [both!, relayOnly!]) expect(await erpProjectCount(deal), `ERP projects of ${deal.name}`).toBe(1);
        expect(await crmProvisionedCount('Stream relay'), 'deals the CRM shows with their ERP project').toBe(2);
      } finally {
        await crmAdmin('PUT', '/change-events', { relay: false });
      }
    }, 120_000);
  });
}
