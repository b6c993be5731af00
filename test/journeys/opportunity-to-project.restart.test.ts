// A process running the won-deal workflows dies mid-run (SIGKILL) with ERP slow; another
// takes over once the leases expire. After the layer settles every won opportunity still has
// exactly one ERP project and one staffing request, and the CRM shows each provisioned.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import type { Json } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { callJson, idempotencyKey, until } from './support/http.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { usDeal } from './support/us-deal.js';
import { schedulingSeats } from './support/scheduling-seats.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEALS = 5;

function spawnWorker(h: CrmHarness, name: string): ChildProcess {
  const u = h.sandboxUrls;
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'support', 'provisioning-worker.ts'), h.databaseUrl, u.crm!, u.erp!, u.scheduling!, u.time!, name],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
}
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

for (const engine of testEngines()) {
  describe(`opportunity to project across a process restart (${engine.name})`, () => {
    let h: CrmHarness;
    const workers: ChildProcess[] = [];
    beforeAll(async () => {
      h = await startCrmHarness(engine, { runWorkflows: false });
    }, 60_000);
    afterAll(async () => {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      await Promise.all(workers.map(exited));
      await h?.close();
    });

    it('resumes from the last checkpoint without a second project or staffing request', async () => {
      const auth = await h.headers('process:write process:read');
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
        (c) => c.billingCountry === 'US' && c.defaultCurrency === 'USD',
      )!;
      const deals: Opportunity[] = [];
      for (let i = 0; i < DEALS; i++) {
        deals.push(await h.systemApis.crm.createOpportunity(usDeal(client.id, `Restart ${i + 1}`)));
      }
      await h.faults('erp', { latencyMs: 150, latencyJitterMs: 100 });
      for (const deal of deals) {
        const res = await callJson<Json>(
          h.gateway.url,
          'POST',
          '/process/opportunity-to-project/v1/runs',
          { ...auth, ...idempotencyKey() },
          { opportunityId: deal.id },
        );
        expect([200, 202]).toContain(res.status);
      }
      const first = spawnWorker(h, 'worker-1');
      workers.push(first);
      // Kill it once it has checkpointed some steps but not finished every run.
      await until(
        async () =>
          h.store.db
            .selectFrom('workflow_steps as s')
            .innerJoin('workflow_runs as r', 'r.id', 's.run_id')
            .select(['s.name', 's.state', 'r.state as runState'])
            .where('r.definition', '=', 'opportunity-to-project')
            .execute(),
        (rows) => rows.some((r) => r.state === 'completed' && r.name === 'ensure-client') && rows.some((r) => r.runState !== 'completed'),
        'the first worker to be mid-way',
        60_000,
      );
      first.kill('SIGKILL');
      await exited(first);
      const unfinished = await h.store.db
        .selectFrom('workflow_runs')
        .select('id')
        .where('definition', '=', 'opportunity-to-project')
        .where('state', '!=', 'completed')
        .execute();
      expect(unfinished.length, 'runs left unfinished by the killed worker').toBeGreaterThan(0);

      const second = spawnWorker(h, 'worker-2');
      workers.push(second);
      await until(
        () =>
          h.store.db
            .selectFrom('workflow_runs')
            .select('id')
            .where('definition', 'like', 'opportunity-to-project%')
            .where('state', '!=', 'completed')
            .execute(),
        (rows) => rows.length === 0,
        'the second worker to finish every run',
        120_000,
      );
      await h.faults('erp', { latencyMs: 0, latencyJitterMs: 0 });

      for (const deal of deals) {
        const provisioning = await callJson<Json>(
          h.gateway.url,
          'GET',
          `/process/opportunity-to-project/v1/opportunities/${deal.id}/provisioning`,
          auth,
        );
        expect(provisioning.body.status).toBe('completed');
        const projects = (await h.systemApis.erp.listProjects({ clientId: provisioning.body.clientId, limit: 200 })).items.filter(
          (p) => p.opportunityId === deal.id,
        );
        expect(projects, `ERP projects of ${deal.name}`).toHaveLength(1);
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
        expect((await h.systemApis.crm.getOpportunity(deal.id)).erpProject?.status).toBe('provisioned');
      }
      second.kill('SIGTERM');
      await exited(second);
    }, 240_000);
  });
}
