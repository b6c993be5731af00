// The partner SDK against the running layer (`npm start` as it runs: gateway, journeys and the
// four embedded sandboxes), after the demo's story gave it a won deal, a project, an invoice and a
// payment: one SDK call per operation of every experience API, each answer checked against the
// contract's schema for its status. The operation list comes from the contracts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../core/config/index.js';
import { signDevToken } from '../../gateway/auth/dev-keys.js';
import { start, type RunningGateway } from '../../gateway/server.js';
import { createCrmV1Client } from '../../generated/sdk/crm.v1.js';
import { createCrmV2Client } from '../../generated/sdk/crm.v2.js';
import { createOperationsV1Client } from '../../generated/sdk/operations.v1.js';
import { createPortalV1Client } from '../../generated/sdk/portal.v1.js';
import { main as runDemo } from '../../scripts/demo.js';
import { erpClientOf } from '../../process-apis/kit/client-links.js';
import { expectData, ProblemDetailsError } from '../../sdk/runtime.js';
import { testEngines } from '../support/stores.js';
import { experienceContracts, responseValidator, type ExperienceContract } from './contract-operations.js';

const contracts = await experienceContracts();
// One layer per file: PostgreSQL where the environment provides it, else the embedded SQLite.
const engine = testEngines().at(-1)!;

/** Every answer, by contract and operationId: status, content type and body. */
type Answer = { status: number; contentType: string; body: unknown };
const answers = new Map<string, Map<string, Answer>>(contracts.map((c) => [c.name, new Map()]));

/** Records an SDK call's answer under its contract and operation, and returns its data. */
async function record<T>(api: string, operationId: string, call: Promise<{ data?: T; error?: unknown; response: Response }>) {
  const { data, error, response } = await call;
  answers
    .get(api)!
    .set(operationId, { status: response.status, contentType: response.headers.get('content-type') ?? '', body: data ?? error });
  return { data: data as T, status: response.status };
}

describe(`the partner SDK against the running layer (${engine.name})`, () => {
  let dir: string;
  let config: Config;
  let gateway: RunningGateway;
  let receiver: Server;
  let story: { opportunityId: string; accountId: string };

  const tokenFor = (scope: string, claims: Record<string, string> = {}) =>
    signDevToken(config, { scope, sub: 'partner', claims: { client_id: 'partner-kit-test', ...claims } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'partner-sdk-'));
    receiver = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((ready) => receiver.listen(0, '127.0.0.1', ready));
    config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      VAR_DIR: dir,
      PORT: '0',
      DATABASE_URL: await engine.freshUrl(),
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
    gateway = await start(config);
    const demo = await runDemo([], { NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: dir }, () => undefined);
    expect(demo.code).toBe(0);
    story = { opportunityId: demo.result!.opportunityId!, accountId: demo.result!.accountId! };
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await new Promise<void>((done) => (receiver ? receiver.close(() => done()) : done()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('calls the CRM API v1 and v2: the project of the won deal, again idempotently, and the account page', async () => {
    const token = () => tokenFor('crm-app:read crm-app:write');
    const v1 = createCrmV1Client({ gatewayUrl: gateway.url, token });
    const v2 = createCrmV2Client({ gatewayUrl: gateway.url, token });
    const path = { opportunityId: story.opportunityId };
    // The deal's project exists already (the demo created it): the same answer, 200, as often as asked.
    const createdV1 = await record(
      'crm.v1',
      'createProjectForOpportunity',
      v1.POST('/opportunities/{opportunityId}/project', { params: { path } }),
    );
    const createdV2 = await record(
      'crm.v2',
      'createProjectForOpportunity',
      v2.POST('/opportunities/{opportunityId}/project', { params: { path } }),
    );
    expect([createdV1.status, createdV2.status]).toEqual([200, 200]);
    const readV1 = await record(
      'crm.v1',
      'getProjectForOpportunity',
      v1.GET('/opportunities/{opportunityId}/project', { params: { path } }),
    );
    const readV2 = await record(
      'crm.v2',
      'getProjectForOpportunity',
      v2.GET('/opportunities/{opportunityId}/project', { params: { path } }),
    );
    expect([readV1.status, readV2.status]).toEqual([200, 200]);
    expect([readV1.data.opportunityId, readV2.data.opportunityId]).toEqual([story.opportunityId, story.opportunityId]);
    const account = { params: { path: { accountId: story.accountId } } };
    const overviewV1 = await record('crm.v1', 'getAccountOverview', v1.GET('/accounts/{accountId}/overview', account));
    expect(overviewV1.status).toBe(200);
    expect(overviewV1.data.accountId).toBe(story.accountId);
    const overviewV2 = await record('crm.v2', 'getAccountOverview', v2.GET('/accounts/{accountId}/overview', account));
    expect(overviewV2.status).toBe(200);
    expect(overviewV2.data.accountId).toBe(story.accountId);
  });

  it("calls the portal API as the client's user: projects, invoices, payments, approved hours", async () => {
    // A portal user's token names the client as ERP knows it, linked to the CRM account when the project was created.
    const client = await erpClientOf(gateway.layers.infra.store.db, story.accountId);
    expect(client).toBeDefined();
    const portal = createPortalV1Client({ gatewayUrl: gateway.url, token: () => tokenFor('portal:read', { client_account: client! }) });
    const api = 'portal.v1';
    const projects = await record(api, 'listProjects', portal.GET('/projects', { params: { query: { limit: 10 } } }));
    expect(projects.status, JSON.stringify(answers.get(api)!.get('listProjects'))).toBe(200);
    expect(projects.data.items.length).toBeGreaterThan(0);
    const project = await record(
      api,
      'getProject',
      portal.GET('/projects/{projectId}', { params: { path: { projectId: projects.data.items[0].id } } }),
    );
    expect(project.status).toBe(200);
    const invoices = await record(api, 'listInvoices', portal.GET('/invoices', {}));
    expect(invoices.status).toBe(200);
    expect(invoices.data.items.length).toBeGreaterThan(0);
    const invoiceId = invoices.data.items[0].id;
    expect((await record(api, 'getInvoice', portal.GET('/invoices/{invoiceId}', { params: { path: { invoiceId } } }))).status).toBe(200);
    const payments = await record(api, 'listPayments', portal.GET('/payments', { params: { query: { invoiceId } } }));
    expect(payments.status).toBe(200);
    expect(payments.data.items.length).toBeGreaterThan(0);
    const hours = await record(api, 'listApprovedHours', portal.GET('/approved-hours', {}));
    expect(hours.status).toBe(200);
    expect(hours.data.items.length).toBeGreaterThan(0);
  });

  it('calls the operations API: figures, runs, dead letters, webhook subscriptions and replays, audit, usage', async () => {
    const ops = createOperationsV1Client({ gatewayUrl: gateway.url, token: () => tokenFor('ops:read ops:write') });
    const api = 'operations.v1';
    expect((await record(api, 'getSummary', ops.GET('/summary'))).status).toBe(200);
    const runs = await record(api, 'listRuns', ops.GET('/runs', { params: { query: { limit: 50 } } }));
    expect(runs.status).toBe(200);
    const finished = runs.data.items.find((run) => run.state === 'completed')!;
    expect(finished).toBeDefined();
    const runId = { path: { runId: finished.id } };
    expect((await record(api, 'getRun', ops.GET('/runs/{runId}', { params: runId }))).status).toBe(200);
    // A completed run can be neither retried nor cancelled: the documented 409, as a typed problem.
    expect((await record(api, 'retryRun', ops.POST('/runs/{runId}/retry', { params: runId }))).status).toBe(409);
    expect((await record(api, 'cancelRun', ops.POST('/runs/{runId}/cancel', { params: runId }))).status).toBe(409);

    const letters = await record(api, 'listDeadLetters', ops.GET('/dead-letters'));
    expect(letters.status).toBe(200);
    expect(letters.data.items).toEqual([]); // the story ran clean, so an unknown id answers the documented 404
    const missing = { path: { deadLetterId: '999999' } };
    expect((await record(api, 'getDeadLetter', ops.GET('/dead-letters/{deadLetterId}', { params: missing }))).status).toBe(404);
    expect((await record(api, 'replayDeadLetter', ops.POST('/dead-letters/{deadLetterId}/replay', { params: missing }))).status).toBe(404);
    const discard = ops.POST('/dead-letters/{deadLetterId}/discard', { params: missing, body: { reason: 'Handled by hand.' } });
    expect((await record(api, 'discardDeadLetter', discard)).status).toBe(404);

    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const created = await record(
      api,
      'createWebhookSubscription',
      ops.POST('/webhook-subscriptions', { body: { url: receiverUrl, eventTypes: ['billing.invoice.*'] } }),
    );
    expect(created.status).toBe(201);
    expect(created.data.secret).toMatch(/^whsec_/);
    expect((await record(api, 'listWebhookSubscriptions', ops.GET('/webhook-subscriptions'))).status).toBe(200);
    const update = ops.PATCH('/webhook-subscriptions/{subscriptionId}', {
      params: { path: { subscriptionId: created.data.id } },
      body: { state: 'disabled', reason: 'Partner kit test.' },
    });
    expect((await record(api, 'updateWebhookSubscription', update)).status).toBe(200);
    const replay = ops.POST('/event-replays', { body: { subscriber: `webhook:${created.data.id}`, since: '2026-01-01T00:00:00Z' } });
    expect((await record(api, 'startEventReplay', replay)).status).toBe(202);

    expect((await record(api, 'listRejectedWebhooks', ops.GET('/rejected-webhooks'))).status).toBe(200);
    expect((await record(api, 'listChangeFeeds', ops.GET('/change-feeds'))).status).toBe(200);
    expect((await record(api, 'listAlerts', ops.GET('/alerts'))).status).toBe(200);
    expect((await record(api, 'getExecutiveFigures', ops.GET('/executive-figures'))).status).toBe(200);
    expect((await record(api, 'listTrends', ops.GET('/trends', { params: { query: { hours: 24 } } }))).status).toBe(200);
    expect((await record(api, 'listAuditEntries', ops.GET('/audit'))).status).toBe(200);
    expect((await record(api, 'listUsage', ops.GET('/usage'))).status).toBe(200);
    expect((await record(api, 'listDeprecatedUsage', ops.GET('/deprecated-usage'))).status).toBe(200);
  });

  it('calls the operations API: reconciliation passes and exceptions, the business views, the signed-in operator', async () => {
    const ops = createOperationsV1Client({ gatewayUrl: gateway.url, token: () => tokenFor('ops:read ops:write') });
    const api = 'operations.v1';
    const started = await record(api, 'startReconciliationPass', ops.POST('/reconciliation/passes', { body: { repair: false } }));
    expect(started.status).toBe(202);
    const passId = { path: { passId: started.data.id } };
    expect((await record(api, 'getReconciliationPass', ops.GET('/reconciliation/passes/{passId}', { params: passId }))).status).toBe(200);
    expect((await record(api, 'listReconciliationPasses', ops.GET('/reconciliation/passes'))).status).toBe(200);
    const exceptions = await record(
      api,
      'listReconciliationExceptions',
      ops.GET('/reconciliation/exceptions', { params: { query: { limit: 10 } } }),
    );
    expect(exceptions.status).toBe(200);
    // The story ran clean: an exception that does not exist answers the documented 404.
    const missing = { path: { exceptionId: '01a216af-0000-7000-8000-00000000dead' } };
    const get = ops.GET('/reconciliation/exceptions/{exceptionId}', { params: missing });
    expect((await record(api, 'getReconciliationException', get)).status).toBe(404);
    const repair = ops.POST('/reconciliation/exceptions/{exceptionId}/repair', { params: missing });
    expect((await record(api, 'repairReconciliationException', repair)).status).toBe(404);
    const dismiss = ops.POST('/reconciliation/exceptions/{exceptionId}/dismiss', { params: missing, body: { reason: 'Handled by hand.' } });
    expect((await record(api, 'dismissReconciliationException', dismiss)).status).toBe(404);
    const views = await record(api, 'listBusinessViews', ops.GET('/business-views'));
    expect(views.status).toBe(200);
    expect(views.data.items).toHaveLength(5);
    const operator = await record(api, 'getCurrentOperator', ops.GET('/operator'));
    expect(operator.data).toMatchObject({ consumer: 'partner-kit-test', canWrite: true });
  });

  it('surfaces an error answer as a ProblemDetailsError with the problem details', async () => {
    const crm = createCrmV2Client({ gatewayUrl: gateway.url, token: () => tokenFor('portal:read') });
    const error = await expectData(crm.GET('/accounts/{accountId}/overview', { params: { path: { accountId: story.accountId } } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProblemDetailsError);
    expect((error as ProblemDetailsError).problem).toMatchObject({ status: 403, type: '/problems/forbidden' });
  });

  it.each(contracts.map((c) => [c.name, c] as const))(
    'called every operation of %s once, each answer valid for its status',
    (_, contract: ExperienceContract) => {
      const called = answers.get(contract.name)!;
      expect([...called.keys()].sort()).toEqual(contract.operations.map((op) => op.operationId).sort());
      const check = responseValidator(contract);
      const failures = contract.operations.flatMap((op) => {
        const answer = called.get(op.operationId)!;
        return check(op, answer.status, answer.contentType, answer.body);
      });
      expect(failures).toEqual([]);
    },
  );
});
