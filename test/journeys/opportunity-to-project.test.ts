// The won-deal journey end to end through the gateway, against the four sandboxes: the CRM
// experience API v1 and v2 side by side, invalid terms, and the closed-won change arriving
// several times and out of order from the CRM's signed webhooks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../../core/workflows/index.js';
import { READY_TO_CLOSE_NAME } from '../../sandboxes/crm/seed.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';

const SCOPES = 'crm-app:write crm-app:read process:read process:write';

for (const engine of testEngines()) {
  describe(`opportunity to project (${engine.name})`, () => {
    let h: CrmHarness;
    let auth: Record<string, string>;
    const call = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
      callJson<Json>(h.gateway.url, method, path, { ...auth, ...extra }, body);

    beforeAll(async () => {
      h = await startCrmHarness(engine);
      auth = await h.headers(SCOPES);
    }, 60_000);
    afterAll(async () => h?.close());

    async function wonOpportunity(): Promise<Json> {
      const page = await h.systemApis.crm.listOpportunities({ stage: 'negotiation', limit: 200 });
      const ready = page.items.find((o) => o.name === READY_TO_CLOSE_NAME);
      expect(ready, 'the seeded ready-to-close opportunity').toBeDefined();
      return h.systemApis.crm.updateOpportunity(ready!.id, { stage: 'closed-won' });
    }

    async function projectsFor(opportunityId: string, crmClientId: string) {
      const link = await h.store.db
        .selectFrom('otp_client_links')
        .select('erp_client_id')
        .where('crm_client_id', '=', crmClientId)
        .executeTakeFirstOrThrow();
      const page = await h.systemApis.erp.listProjects({ clientId: link.erp_client_id, limit: 200 });
      return page.items.filter((p) => p.opportunityId === opportunityId);
    }

    it('creates the project while the CRM user waits (v2), then shows it in v1 and v2 alike', async () => {
      const opportunity = await wonOpportunity();
      const path = `/experience/crm/v2/opportunities/${opportunity.id}/project`;
      const noKey = await call('POST', path);
      expect(noKey.status).toBe(400);
      const key = idempotencyKey();
      const created = await call('POST', path, undefined, { ...key, Prefer: 'wait=20' });
      expect([200, 202]).toContain(created.status);
      // The same key again: the first answer, marked as a replay.
      const replay = await call('POST', path, undefined, { ...key, Prefer: 'wait=20' });
      expect(replay.status).toBe(created.status);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(created.body);
      const done =
        created.status === 200
          ? created
          : await until(
              () => call('GET', path),
              (r) => r.body.status === 'completed',
              'provisioning to complete',
            );
      expect(done.body).toMatchObject({
        opportunityId: opportunity.id,
        status: 'completed',
        project: { id: expect.any(String), name: READY_TO_CLOSE_NAME },
      });
      expect(done.body.staffingRequestIds).toHaveLength(1);
      expect(done.body.project.budget).toEqual({ amountMinor: 24_000_000, currency: 'EUR' });
      expect(done.body.stages.map((s: Json) => s.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);

      const v1 = await call('GET', `/experience/crm/v1/opportunities/${opportunity.id}/project`);
      expect(v1.status).toBe(200);
      expect(v1.headers.get('deprecation')).toMatch(/^@\d+$/);
      expect(v1.headers.get('sunset')).toBeTruthy();
      expect(v1.body).toEqual({
        opportunityId: opportunity.id,
        status: 'completed',
        erpProjectId: done.body.project.id,
        ...(done.body.project.code ? { erpProjectCode: done.body.project.code } : {}),
      });

      // Exactly one ERP project and one staffing request, and the CRM shows the project.
      expect(await projectsFor(opportunity.id, opportunity.clientId)).toHaveLength(1);
      const request = await h.systemApis.scheduling.getStaffingRequest(done.body.staffingRequestIds[0]);
      expect(request).toMatchObject({ engagementId: done.body.project.id, role: 'consultant', status: 'open' });
      const crm = await h.systemApis.crm.getOpportunity(opportunity.id);
      expect(crm.erpProject).toEqual({ projectId: done.body.project.code ?? done.body.project.id, status: 'provisioned' });

      // Calling again (v1 this time) finds the same project: one opportunity, one project.
      const again = await call('POST', `/experience/crm/v1/opportunities/${opportunity.id}/project`, undefined, idempotencyKey());
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'completed', erpProjectId: done.body.project.id });

      // The process API shows the run with each step's attempts and times.
      const runs = await call('GET', `/process/opportunity-to-project/v1/runs?subject=${opportunity.id}`);
      expect(runs.status).toBe(200);
      expect(runs.body.items).toHaveLength(1);
      expect(runs.body.items[0]).toMatchObject({ journey: 'opportunity-to-project', status: 'succeeded', subject: opportunity.id });
      for (const step of runs.body.items[0].steps)
        expect(step).toMatchObject({ status: 'succeeded', attempts: expect.any(Number), finishedAt: expect.any(String) });
      expect(runs.body.items[0].steps.map((s: Json) => s.name)).toEqual([
        'validate-terms',
        'map-legal-entity',
        'ensure-client',
        'create-project',
        'open-time-project',
        'request-staffing',
        'write-back-to-crm',
      ]);
      // Consultants can log time: the Time project is open for the engagement, under the account.
      const timeProject = await h.systemApis.time.getProject(done.body.project.id);
      expect(timeProject).toMatchObject({
        engagementId: done.body.project.id,
        name: READY_TO_CLOSE_NAME,
        billable: true,
        active: true,
        currency: 'EUR',
      });
      const provisioning = await call('GET', `/process/opportunity-to-project/v1/opportunities/${opportunity.id}/provisioning`);
      expect(provisioning.body).toMatchObject({ status: 'completed', engagementId: done.body.project.id });
    }, 90_000);

    it('answers 422 with one reason per term to fix, and the run shows them', async () => {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find((c) => c.billingCountry === 'GB')!;
      const bad = await h.systemApis.crm.createOpportunity({
        clientId: client.id,
        name: 'Claims platform discovery',
        stage: 'closed-won',
        closeDate: '2026-11-01',
        amount: { amountMinor: 5_000_000, currency: 'GBP' },
        contractTerms: {
          billingModel: null,
          startDate: '2026-12-01',
          endDate: '2027-03-31',
          legalEntityCountry: 'BR',
          rateCardCode: 'RC-XX-2026',
        },
      });
      for (const major of [1, 2]) {
        const res = await call('POST', `/experience/crm/v${major}/opportunities/${bad.id}/project`, undefined, {
          ...idempotencyKey(),
          Prefer: 'wait=20',
        });
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const pointers = (res.body.errors as Json[]).map((e) => e.pointer);
        expect(pointers).toEqual(
          expect.arrayContaining(['/contractTerms/billingModel', '/contractTerms/legalEntityCountry', '/contractTerms/rateCardCode']),
        );
        expect(res.body.detail).toMatch(/billing model/i);
      }
      const v2 = await call('GET', `/experience/crm/v2/opportunities/${bad.id}/project`);
      expect(v2.body).toMatchObject({ status: 'rejected', problems: [{ code: 'invalid-contract-terms' }] });
      expect(v2.body.stages.filter((s: Json) => s.status === 'skipped').map((s: Json) => s.name)).toEqual([
        'map-legal-entity',
        'ensure-client',
        'create-project',
        'request-staffing',
        'write-back-to-crm',
      ]);
      const runs = await call('GET', `/process/opportunity-to-project/v1/runs?subject=${bad.id}&status=rejected`);
      expect(runs.body.items[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid-contract-terms' } });
      const coreRun = await getRun(h.store.db, runs.body.items[0].id as string);
      expect(coreRun.state, 'nothing failed: the run completed').toBe('completed');
      expect(coreRun.outcome?.kind, 'operators read the refused attempt as refused, not as work done').toBe('refused');
      expect(coreRun.outcome?.reason, "with the CRM's reasons").toMatch(/\/contractTerms\/rateCardCode/);

      // Fixed by the CRM user, the same opportunity provisions in a new run.
      await h.systemApis.crm.updateOpportunity(bad.id, {
        contractTerms: { billingModel: 'time-and-materials', legalEntityCountry: 'GB', rateCardCode: 'RC-GB-2026' },
      });
      const fixed = await call('POST', `/experience/crm/v2/opportunities/${bad.id}/project`, undefined, {
        ...idempotencyKey(),
        Prefer: 'wait=20',
      });
      const done =
        fixed.status === 200
          ? fixed
          : await until(
              () => call('GET', `/experience/crm/v2/opportunities/${bad.id}/project`),
              (r) => r.body.status === 'completed',
              'fixed deal to provision',
            );
      expect(done.body.status).toBe('completed');
      expect(await projectsFor(bad.id, client.id)).toHaveLength(1);
    }, 90_000);

    it('answers 202 with a status link when the caller prefers not to wait (v1), and the link reaches completed', async () => {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
        (c) => c.billingCountry === 'US' && c.defaultCurrency === 'USD',
      )!;
      const deal = await h.systemApis.crm.createOpportunity({
        clientId: client.id,
        name: 'Care pathways phase 1',
        stage: 'closed-won',
        closeDate: '2026-11-01',
        amount: { amountMinor: 4_500_000, currency: 'USD' },
        contractTerms: {
          billingModel: 'fixed-fee',
          startDate: '2026-12-01',
          endDate: '2027-05-28',
          legalEntityCountry: 'US',
          rateCardCode: 'RC-US-2026',
        },
      });
      const res = await call('POST', `/experience/crm/v1/opportunities/${deal.id}/project`, undefined, {
        ...idempotencyKey(),
        Prefer: 'respond-async',
      });
      expect(res.status).toBe(202);
      const location = res.headers.get('location')!;
      expect(location).toBe(`/experience/crm/v1/opportunities/${deal.id}/project`);
      expect(res.body).toEqual({ opportunityId: deal.id, status: 'in-progress', statusUrl: location });
      const done = await until(
        () => call('GET', location),
        (r) => r.body.status !== 'in-progress',
        'provisioning to finish',
      );
      expect(done.body).toMatchObject({ status: 'completed', erpProjectId: expect.any(String) });
    }, 60_000);

    it('404s for an opportunity the CRM does not have', async () => {
      const res = await call(
        'POST',
        '/experience/crm/v2/opportunities/01a216af-078d-7328-958b-000000000000/project',
        undefined,
        idempotencyKey(),
      );
      expect(res.status).toBe(404);
      const status = await call('GET', '/experience/crm/v1/opportunities/01a216af-078d-7328-958b-000000000000/project');
      expect(status.status).toBe(404);
    }, 30_000);
  });
}
