// Shared by the operations API tests and the browser test: a gateway with only the operations
// module, on a given store, with test-signed tokens, and a workflow engine whose one
// provisioning step fails for good until the test "fixes the platform".
import { join } from 'node:path';
import { bundleContract, describeContract, PROJECT_ROOT } from '../../core/contracts/catalogue.js';
import { PermanentError } from '../../core/resilience/errors.js';
import type { Store } from '../../core/store/index.js';
import { defineWorkflow, WorkflowEngine } from '../../core/workflows/index.js';
import type { LayerOverrides } from '../../gateway/compose.js';
import { bearer, makeKey, startGateway, startJwks, token, type Json, type TestGateway, type TestJwks } from '../gateway/support.js';
import { operationsModule } from '../../experience-apis/operations/module.js';

export async function operationsCatalogue() {
  return Promise.all(
    [
      { layer: 'gateway' as const, api: 'gateway', major: 1, file: 'openapi/gateway/gateway.v1.yaml' },
      { layer: 'experience' as const, api: 'operations', major: 1, file: 'openapi/experience/operations.v1.yaml' },
    ].map(async (entry) => describeContract(entry, await bundleContract(join(PROJECT_ROOT, entry.file), entry.file))),
  );
}

export interface OpsHarness {
  gateway: TestGateway;
  jwks: TestJwks;
  workflows: WorkflowEngine;
  tokens: { read: string; write: string; readWrite: string; other: string };
  /** While false, the provisioning step fails permanently. */
  platform: { fixed: boolean };
  /** Starts an opportunity-to-project run and drives it until it fails into a dead letter. */
  failedRun(opportunityId: string): Promise<{ runId: string; deadLetterId: number }>;
  /** Starts a run that completes refused (the deal is no longer won). */
  refusedRun(opportunityId: string): Promise<{ runId: string }>;
  /** Starts a run of the journey's intake and drives it until it fails. */
  failedIntake(crmId: string): Promise<{ runId: string }>;
  /** Drives every due run until none is pending, running or waiting (default limit 30 s). */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOperationsGateway(
  store: Store,
  env: Record<string, string> = {},
  layers: LayerOverrides = {},
): Promise<OpsHarness> {
  const key = await makeKey();
  const jwks = await startJwks([key]);
  const platform = { fixed: false };
  const provisioning = defineWorkflow<{ opportunityId: string }>({
    name: 'opportunity-to-project',
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
    steps: [
      { name: 'validate-terms', run: async ({ input }) => ({ opportunityId: input.opportunityId, valid: true }) },
      {
        name: 'create-erp-project',
        platform: 'erp',
        run: async ({ input }) => {
          if (!platform.fixed) throw new PermanentError(`ERP refused the project for ${input.opportunityId}: subsidiary not mapped`);
          return { erpProjectId: `PRJ-${input.opportunityId.slice(-6)}` };
        },
      },
    ],
  });
  // Named as the journey's intake is: its failures belong to the journey but are not failed provisioning.
  const intake = defineWorkflow<{ crmIds: string[] }>({
    name: 'opportunity-to-project.crm-change',
    journey: 'opportunity-to-project',
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
    steps: [
      {
        name: 'start-provisioning',
        platform: 'crm',
        run: async ({ input }) => {
          throw new PermanentError(`CRM refused reading ${input.crmIds.join(', ')}: insufficient access`);
        },
      },
    ],
  });
  // Completes without doing its work: the platform's data said no.
  const refusing = defineWorkflow<{ opportunityId: string }>({
    name: 'opportunity-to-project-recheck',
    steps: [{ name: 'check-stage', run: async () => ({ won: false }) }],
    outcome: (_results, input) => ({ outcome: 'refused', reason: `/stage: ${input.opportunityId} is no longer won` }),
  });
  const workflows = new WorkflowEngine({ store, definitions: [provisioning, intake, refusing] });
  const gateway = await startGateway(
    jwks.url,
    { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...env },
    {
      catalogue: await operationsCatalogue(),
      apis: [operationsModule],
      layers: { ...layers, infra: { ...layers.infra, store } },
      startJourneys: false,
    },
  );
  const mint = (scope: string, clientId: string, sub?: string) => token({ key, scope, clientId, ...(sub ? { sub } : {}) });
  // Bounded by time, not by rounds: on a loaded machine a round takes longer, and a run that
  // is really stuck must still fail the test, saying which run and where.
  const settle = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await workflows.drain();
      const open = await store.db
        .selectFrom('workflow_runs')
        .select(['id', 'definition', 'state', 'current_step', 'next_attempt_ms', 'claimed_by'])
        .where('state', 'in', ['pending', 'running', 'waiting'])
        .execute();
      if (open.length === 0) return;
      if (Date.now() > deadline) throw new Error(`runs did not settle within ${timeoutMs} ms: ${JSON.stringify(open)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    gateway,
    jwks,
    workflows,
    platform,
    tokens: {
      read: await mint('ops:read', 'ops-viewer'),
      write: await mint('ops:write', 'ops-writer'),
      // An operator in person (sub) through the console's client account (client_id).
      readWrite: await mint('ops:read ops:write', 'ops-alice', 'alice.operator@firm.example'),
      other: await mint('crm:read', 'crm-app'),
    },
    async failedRun(opportunityId) {
      const started = await workflows.startRun('opportunity-to-project', { opportunityId }, { runKey: opportunityId });
      await settle();
      const letter = await store.db
        .selectFrom('workflow_dead_letters')
        .select('id')
        .where('run_id', '=', started.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      return { runId: started.id, deadLetterId: Number(letter.id) };
    },
    async refusedRun(opportunityId) {
      const started = await workflows.startRun('opportunity-to-project-recheck', { opportunityId }, { runKey: opportunityId });
      await settle();
      return { runId: started.id };
    },
    async failedIntake(crmId) {
      const started = await workflows.startRun('opportunity-to-project.crm-change', { crmIds: [crmId] }, { runKey: crmId });
      await settle();
      return { runId: started.id };
    },
    settle,
    async close() {
      await workflows.stop();
      await gateway.close();
      await jwks.close();
    },
  };
}

export interface OpsCallOptions {
  /** Default: the read-write operator's; `''` sends no token. */
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls the operations API of the harness: status, headers and the parsed body. */
export function opsCaller(ops: () => OpsHarness, base = '/experience/operations/v1') {
  return async (method: string, path: string, opts: OpsCallOptions = {}) => {
    const harness = ops();
    const res = await fetch(`${harness.gateway.url}${base}${path}`, {
      method,
      headers: {
        ...(opts.token === '' ? {} : bearer(opts.token ?? harness.tokens.readWrite)),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  };
}
