// Integrity of the won-deal journey under real-world faults: the CRM's event relay posting each
// closed-won change several times and out of order (and the deal leaving closed-won and coming back),
// and ERP failing 30% of calls. After the layer settles, every won opportunity has exactly
// one ERP project and one staffing request.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { schedulingSeats } from './support/scheduling-seats.js';
import { faultSeed } from '../support/fault-seed.js';
import { settledSyncLatencyCount } from '../support/sync-latency.js';

const SCOPES = 'crm-app:write crm-app:read process:read process:write';

for (const engine of testEngines()) {
  describe(`opportunity to project under faults (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    const layerMetrics = new Registry();
    const call = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
      callJson<Json>(h.gateway.url, method, path, { ...auth, ...extra }, body);

    beforeAll(async () => {
      // Duplicated and reordered deliveries are what an event relay's webhooks do; the stream delivers in order.
      h = await startCrmHarness(engine, { crmChangeEvents: 'relay', registry: layerMetrics });
      auth = await h.headers(SCOPES);
    }, 60_000);
    afterAll(async () => h?.close());

    async function openDeals(count: number, label: string): Promise<Opportunity[]> {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
        (c) => c.billingCountry === 'DE' && c.defaultCurrency === 'EUR',
      )!;
      const deals: Opportunity[] = [];
      for (let i = 0; i < count; i++) {
        deals.push(
          await h.systemApis.crm.createOpportunity({
            clientId: client.id,
            name: `${label} ${i + 1}`,
            stage: 'negotiation',
            closeDate: '2026-11-20',
            amount: { amountMinor: 3_000_000 + i * 100_000, currency: 'EUR' },
            contractTerms: {
              billingModel: 'time-and-materials',
              startDate: '2026-12-01',
              endDate: '2027-02-26',
              legalEntityCountry: 'DE',
              rateCardCode: 'RC-DE-2026',
            },
          }),
        );
      }
      return deals;
    }

    /** Waits for the webhooks to be delivered and every inbox message and intake run to finish. */
    async function settle(): Promise<void> {
      await fetch(`${h.sandboxUrls.crm}/_sandbox/webhooks/drain`, { method: 'POST' });
      await until(
        async () => {
          const inbox = await h.store.db.selectFrom('inbox_messages').select('webhook_id').where('state', '=', 'received').execute();
          const runs = await h.store.db
            .selectFrom('workflow_runs as r')
            .leftJoin('workflow_steps as s', (j) => j.onRef('s.run_id', '=', 'r.id').onRef('s.name', '=', 'r.current_step'))
            .select(['r.definition', 'r.state', 'r.current_step', 'r.next_attempt_ms', 's.attempts', 's.errors'])
            .where('r.definition', 'like', 'opportunity-to-project%')
            .where('r.state', 'in', ['pending', 'running', 'waiting'])
            .execute();
          // What is still open, for the message if it never settles: each run's step, attempts, wait and last error.
          const now = Date.now();
          return {
            open: inbox.length + runs.length,
            inbox: inbox.length,
            runs: runs.map((r) => ({
              ...r,
              errors: undefined,
              dueInMs: Number(r.next_attempt_ms) - now,
              lastError: r.errors ? (JSON.parse(r.errors) as Json[]).at(-1) : undefined,
            })),
          };
        },
        (seen) => seen.open === 0,
        'inbox and runs to settle',
        120_000,
      );
    }

    async function assertExactlyOneProjectEach(deals: readonly Opportunity[]): Promise<void> {
      for (const deal of deals) {
        const provisioning = await call('GET', `/process/opportunity-to-project/v1/opportunities/${deal.id}/provisioning`);
        expect(provisioning.body.status, JSON.stringify(provisioning.body)).toBe('completed');
        const erpClientId = provisioning.body.clientId as string;
        const projects = (await h.systemApis.erp.listProjects({ clientId: erpClientId, limit: 200 })).items.filter(
          (p) => p.opportunityId === deal.id,
        );
        const runs = await call('GET', `/process/opportunity-to-project/v1/runs?subject=${deal.id}`);
        expect(projects, `ERP projects of ${deal.name}; runs: ${JSON.stringify(runs.body.items.map((r: Json) => r.steps))}`).toHaveLength(
          1,
        );
        expect(projects[0]!.id).toBe(provisioning.body.engagementId);
        const requests = await h.store.db
          .selectFrom('scheduling_staffing_requests')
          .select('id')
          .where('engagement_id', '=', projects[0]!.id)
          .execute();
        expect(requests, `staffing requests of ${deal.name}`).toHaveLength(1);
        expect(
          await schedulingSeats(h.store, h.sandboxUrls.scheduling!, projects[0]!.id),
          `allocations on the scheduling platform for ${deal.name}`,
        ).toHaveLength(1);
        // A run that validated while the deal was briefly not won is rejected; only one provisions.
        const statuses = (runs.body.items as Json[]).map((r) => r.status);
        expect(
          statuses.filter((st) => st === 'succeeded'),
          JSON.stringify(statuses),
        ).toHaveLength(1);
        expect(
          statuses.every((st) => st === 'succeeded' || st === 'rejected'),
          JSON.stringify(statuses),
        ).toBe(true);
        expect((await h.systemApis.crm.getOpportunity(deal.id)).erpProject?.status).toBe('provisioned');
      }
    }

    it('provisions once when the closed-won change arrives three times, duplicated and out of order', async () => {
      const deals = await openDeals(3, 'Event storm');
      await h.faults('crm', { webhookDuplicateRate: 1, webhookReorder: true });
      try {
        for (const deal of deals) {
          // Won, reopened, won again, lost, won a third time: three closed-won changes.
          for (const stage of ['closed-won', 'negotiation', 'closed-won', 'closed-lost', 'closed-won'] as const) {
            await h.systemApis.crm.updateOpportunity(deal.id, { stage });
          }
        }
        // The same business event posted to the process API twice is recorded once.
        const event = {
          specversion: '1.0',
          id: `evt-${deals[0]!.id}`,
          source: '/crm/test',
          type: 'com.psconnect.crm.opportunity.closed-won',
          time: new Date().toISOString(),
          subject: deals[0]!.id,
          data: { opportunityId: deals[0]!.id },
        };
        const first = await callJson<Json>(h.gateway.url, 'POST', '/process/opportunity-to-project/v1/events', { ...auth }, undefined);
        expect(first.status).toBe(415); // no CloudEvents body: a clear 4xx
        const post = () =>
          fetch(`${h.gateway.url}/process/opportunity-to-project/v1/events`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/cloudevents+json' },
            body: JSON.stringify(event),
          });
        const [a, b] = [await post(), await post()];
        expect([a.status, b.status]).toEqual([202, 202]);
        expect([((await a.json()) as Json).duplicate, ((await b.json()) as Json).duplicate]).toEqual([false, true]);
        await settle();
      } finally {
        await h.faults('crm', { webhookDuplicateRate: 0, webhookReorder: false });
      }
      const intake = await h.store.db
        .selectFrom('workflow_runs')
        .select('id')
        .where('definition', '=', 'opportunity-to-project.crm-change')
        .execute();
      expect(intake.length, 'several closed-won changes were received').toBeGreaterThanOrEqual(deals.length * 2);
      await assertExactlyOneProjectEach(deals);
      // Each deal's run carries its change's time, also one started again after the deal was found reopened.
      expect(
        await settledSyncLatencyCount(layerMetrics, 'opportunity-to-project', deals.length),
        'sync latency observed once per provisioned deal',
      ).toBe(deals.length);
    }, 180_000);

    it('still yields exactly one project each with ERP failing 30% of calls', async () => {
      const deals = await openDeals(4, 'Flaky ERP');
      await h.faults('erp', { seed: faultSeed(), errorRate: 0.3 });
      try {
        // The faults are live: of 30 plain requests to ERP, some are refused with an injected 500.
        let injected = 0;
        for (let i = 0; i < 30; i++)
          if ((await fetch(`${h.sandboxUrls.erp}/services/rest/record/v1/subsidiary`)).status === 500) injected += 1;
        expect(injected).toBeGreaterThan(0);
        for (const deal of deals) await h.systemApis.crm.updateOpportunity(deal.id, { stage: 'closed-won' });
        // The CRM also calls the process API, twice per deal with different keys.
        for (const deal of deals) {
          for (let i = 0; i < 2; i++) {
            const res = await call('POST', '/process/opportunity-to-project/v1/runs', { opportunityId: deal.id }, idempotencyKey());
            expect([200, 202]).toContain(res.status);
            expect(res.body.subject).toBe(deal.id);
          }
        }
        await settle();
      } finally {
        await h.faults('erp', { errorRate: 0 });
      }
      await assertExactlyOneProjectEach(deals);
    }, 240_000);
  });
}
