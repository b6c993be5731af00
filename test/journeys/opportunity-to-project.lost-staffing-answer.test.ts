// The crash window of the staffing step: the scheduling platform takes the create of the lead
// staffing request, but the layer never learns it (the answer is lost, as when the process dies
// before recording it), so the step runs again. The journey's reference for the request finds
// the allocation the platform already holds: the deal ends with exactly one staffing request,
// on the platform and in the layer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegionalRules } from '../../core/regional/rules.js';
import { WorkflowEngine } from '../../core/workflows/index.js';
import { LEAD_ROLE } from '../../process-apis/opportunity-to-project/template.js';
import {
  PROVISION_WORKFLOW,
  provisioningWorkflow,
  staffingReference,
  type ProvisionInput,
} from '../../process-apis/opportunity-to-project/workflow.js';
import { SCHEDULING_SANDBOX_TOKEN } from '../../sandboxes/scheduling/index.js';
import { SchedulingConnector } from '../../system-apis/scheduling/connector.js';
import { createSchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import { testEngines } from '../support/stores.js';
import { until } from './support/http.js';
import { startCrmHarness, type CrmHarness } from './support/provisioning-harness.js';
import { usDeal } from './support/us-deal.js';

/** Loses the answer to the first allocation create, after the platform has taken it. */
class LosingConnector extends SchedulingConnector {
  creates = 0;
  override async createTask(...args: Parameters<SchedulingConnector['createTask']>) {
    const task = await super.createTask(...args);
    if (++this.creates === 1) throw new Error('socket hang up');
    return task;
  }
}

for (const engine of testEngines()) {
  describe(`opportunity to project when the staffing answer is lost (${engine.name})`, () => {
    let h: CrmHarness;
    let connector: LosingConnector;
    let workflows: WorkflowEngine;

    beforeAll(async () => {
      // The layer's own journeys engine stays stopped: this test drives the workflow itself.
      h = await startCrmHarness(engine, { runWorkflows: false });
      connector = new LosingConnector({ baseUrl: h.sandboxUrls.scheduling!, apiToken: SCHEDULING_SANDBOX_TOKEN, timeoutMs: 10_000 });
      const scheduling = createSchedulingSystemApi({ connector, store: h.store });
      const definition = provisioningWorkflow({
        store: h.store,
        crm: h.systemApis.crm,
        erp: h.systemApis.erp,
        scheduling,
        time: h.systemApis.time,
        rules: loadRegionalRules(),
      });
      workflows = new WorkflowEngine({ store: h.store, definitions: [definition], pollMs: 20 });
    }, 60_000);
    afterAll(async () => {
      await workflows?.stop();
      await connector?.close();
      await h?.close();
    });

    it('runs the step again and still has one staffing request, on the platform and in the layer', async () => {
      const client = (await h.systemApis.crm.listClients({ limit: 200 })).items.find(
        (c) => c.billingCountry === 'US' && c.defaultCurrency === 'USD',
      )!;
      const deal = await h.systemApis.crm.createOpportunity(usDeal(client.id, 'Lost staffing answer'));
      const started = await workflows.startRun<ProvisionInput>(
        PROVISION_WORKFLOW,
        { opportunityId: deal.id, trigger: 'api' },
        { runKey: deal.id },
      );
      const run = await until(
        async () => {
          await workflows.drain();
          return h.store.db.selectFrom('workflow_runs').select(['state']).where('id', '=', started.id).executeTakeFirstOrThrow();
        },
        (r) => ['completed', 'failed'].includes(r.state),
        'the provisioning run to finish',
        60_000,
      );
      const steps = await h.store.db
        .selectFrom('workflow_steps')
        .select(['name', 'state', 'attempts', 'result'])
        .where('run_id', '=', started.id)
        .execute();
      expect(run.state, JSON.stringify(steps)).toBe('completed');

      // The first create reached the platform and its answer was lost; the step ran a second
      // time and created nothing more.
      const staffingStep = steps.find((s) => s.name === 'request-staffing')!;
      expect(Number(staffingStep.attempts), 'attempts of request-staffing').toBe(2);
      expect(connector.creates, 'allocations created on the platform').toBe(1);

      const { engagementId } = JSON.parse(steps.find((s) => s.name === 'create-project')!.result!) as { engagementId: string };
      const { staffingRequestIds } = JSON.parse(staffingStep.result!) as { staffingRequestIds: string[] };
      const native = await h.store.db
        .selectFrom('xref')
        .select('native_id')
        .where('canonical_id', '=', engagementId)
        .where('platform', '=', 'scheduling')
        .executeTakeFirstOrThrow();
      const seats = await connector.allTasks({ projectId: Number(native.native_id) });
      expect(seats, "allocations on the engagement's scheduling project").toHaveLength(1);
      expect(seats[0]!.notes).toContain(`[staffing-request-ref ${staffingReference(deal.id, LEAD_ROLE)}]`);
      const records = await h.store.db
        .selectFrom('scheduling_staffing_requests')
        .select(['id', 'task_id'])
        .where('engagement_id', '=', engagementId)
        .execute();
      expect(records).toEqual([{ id: staffingRequestIds[0], task_id: String(seats[0]!.task_id) }]);
      expect(staffingRequestIds).toHaveLength(1);
      expect((await h.systemApis.crm.getOpportunity(deal.id)).erpProject?.status).toBe('provisioned');
    }, 120_000);
  });
}
