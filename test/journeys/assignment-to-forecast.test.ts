// Assignment to forecast through the gateway against the Scheduling and ERP sandboxes: an
// assignment event updates the engagement forecast (hours × rate per week) and the resource's
// utilisation; booking beyond capacity opens a staffing conflict, cancelling resolves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadRegionalRules } from '../../core/regional/rules.js';
import { createStore, type Store } from '../../core/store/index.js';
import { migrateToLatest } from '../../core/store/migrate.js';
import { WorkflowEngine } from '../../core/workflows/index.js';
import { multiplyMinutesByRate } from '../../core/money.js';
import {
  assignmentToForecastModule,
  assignmentToForecastWorkflow,
  createAssignmentToForecastApi,
} from '../../process-apis/assignment-to-forecast/index.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { createSandboxApp, listen, type RunningSandbox } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN } from '../../sandboxes/scheduling/index.js';
import { SchedulingConnector } from '../../system-apis/scheduling/connector.js';
import { createSchedulingSystemApi, type SchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { catalogueOf, createBillableProject } from './support/billing-harness.js';
import { platformApis, TEST_RETRY, type PlatformApis } from './support/billing-deps.js';
import { erpSandbox } from '../../sandboxes/erp/index.js';
import { callJson, idempotencyKey, until } from './support/http.js';

const BASE = '/process/assignment-to-forecast/v1';

describe.each(testEngines().map((e) => [e.name, e] as const))('assignment-to-forecast on %s', (_name, engine) => {
  let store: Store;
  let erpRunning: RunningSandbox;
  let schedRunning: RunningSandbox;
  let apis: PlatformApis;
  let erp: ErpSystemApi;
  let scheduling: SchedulingSystemApi;
  let connector: SchedulingConnector;
  let workflows: WorkflowEngine;
  let jwks: TestJwks;
  let gateway: TestGateway;
  let headers: Record<string, string>;
  const call = <T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    callJson<T>(gateway.url, method, `${BASE}${path}`, { ...headers, ...extra }, body);
  const settle = (assignmentId: string, runs: number) =>
    until(
      async () => (await call<{ items: Run[] }>('GET', `/runs?subject=${assignmentId}`)).body.items,
      (items) => items.length === runs && items.every((r) => r.status === 'succeeded' || r.status === 'failed'),
      `runs of ${assignmentId}`,
    );
  const event = (type: string, assignmentId: string, id: string = crypto.randomUUID()) =>
    fetch(`${gateway.url}${BASE}/events`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id,
        source: '/system/scheduling/v1',
        type,
        time: new Date().toISOString(),
        subject: assignmentId,
        data: { assignmentId },
      }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate: boolean } }));

  beforeAll(async () => {
    store = createStore({ databaseUrl: await engine.freshUrl() });
    await migrateToLatest(store);
    erpRunning = await listen(createSandboxApp(erpSandbox).app);
    schedRunning = await listen(createSandboxApp(createSchedulingSandbox()).app);
    apis = platformApis(store, { erp: erpRunning.url });
    erp = apis.erp;
    connector = new SchedulingConnector({
      baseUrl: schedRunning.url,
      apiToken: SCHEDULING_SANDBOX_TOKEN,
      timeoutMs: 2_000,
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { consecutiveFailures: 1000 },
    });
    scheduling = createSchedulingSystemApi({ connector, store });
    const definition = assignmentToForecastWorkflow({ store, scheduling, erp, rules: loadRegionalRules(), retry: TEST_RETRY });
    workflows = new WorkflowEngine({ store, definitions: [definition], logger: pino({ level: 'silent' }), pollMs: 20 });
    workflows.start();
    const key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      {},
      {
        catalogue: await catalogueOf([{ layer: 'process', api: 'assignment-to-forecast', major: 1 }]),
        apis: [assignmentToForecastModule],
        layers: { infra: { store }, processApis: { assignmentToForecast: createAssignmentToForecastApi({ store, engine: workflows }) } },
        startJourneys: false, // the test's engine runs the workflow, alone on its store
      },
    );
    headers = bearer(await token({ key, scope: 'process:read process:write', clientId: 'forecast-test' }));
  });
  afterAll(async () => {
    await workflows?.stop();
    await gateway?.close();
    await jwks?.close();
    await apis?.close();
    await connector?.close();
    await erpRunning?.close();
    await schedRunning?.close();
    await store?.close();
    await engine.cleanup();
  });

  it('forecasts hours × rate per week, flags over-allocation and resolves it on cancel', { timeout: 120_000 }, async () => {
    const { engagement } = await createBillableProject(erp, 'DE', 'Lindenhof Versicherung AG');
    await scheduling.putProject(engagement.id, { name: engagement.name, budget: { amountMinor: 10_000_000, currency: 'EUR' } });
    const resource = (await scheduling.listResources({ limit: 200, status: 'active' })).items[0]!;
    const capacity = resource.capacityMinutesPerWeek;
    const first = await scheduling.createAssignment({
      engagementId: engagement.id,
      resourceId: resource.id,
      role: 'consultant',
      startDate: '2026-12-07',
      endDate: '2026-12-18',
      minutesPerWeek: capacity - 600,
    });

    const delivered = await event('com.psconnect.scheduling.assignment.created', first.id, 'evt-1');
    expect(delivered).toEqual({ status: 202, body: expect.objectContaining({ duplicate: false }) });
    expect((await event('com.psconnect.scheduling.assignment.created', first.id, 'evt-1')).body.duplicate).toBe(true);
    expect((await settle(first.id, 1)).map((r) => r.status)).toEqual(['succeeded']);

    const forecast = await call<{
      currency: string;
      periods: Array<{ periodStart: string; plannedMinutes: number; plannedRevenue: { amountMinor: number } }>;
    }>('GET', `/forecasts/${engagement.id}?granularity=week`);
    expect(forecast.status).toBe(200);
    expect(forecast.body.currency).toBe('EUR');
    const weekly = capacity - 600;
    expect(forecast.body.periods.map((p) => [p.periodStart, p.plannedMinutes, p.plannedRevenue.amountMinor])).toEqual([
      ['2026-12-07', weekly, multiplyMinutesByRate(weekly, 16_000)],
      ['2026-12-14', weekly, multiplyMinutesByRate(weekly, 16_000)],
    ]);

    const second = await scheduling.createAssignment({
      engagementId: engagement.id,
      resourceId: resource.id,
      role: 'consultant',
      startDate: '2026-12-14',
      endDate: '2026-12-18',
      minutesPerWeek: 1_200,
    });
    const started = await call<Run>('POST', '/runs', { assignmentId: second.id, change: 'created' }, idempotencyKey());
    expect(started.status).toBe(202);
    await settle(second.id, 1);
    const conflicts = await call<{
      items: Array<{ resourceId: string; weekStart: string; assignedMinutes: number; capacityMinutes: number; assignmentIds: string[] }>;
    }>('GET', '/staffing-conflicts?status=open');
    expect(
      conflicts.body.items.map((c) => [c.resourceId, c.weekStart, c.assignedMinutes, c.capacityMinutes, c.assignmentIds.sort()]),
    ).toEqual([[resource.id, '2026-12-14', weekly + 1_200, capacity, [first.id, second.id].sort()]]);
    const utilisation = await call<{
      items: Array<{ weekStart: string; assignedMinutes: number; overAllocated: boolean; utilisationBasisPoints: number }>;
    }>('GET', `/utilisation?resourceId=${resource.id}`);
    expect(utilisation.body.items.map((u) => [u.weekStart, u.assignedMinutes, u.overAllocated])).toEqual([
      ['2026-12-07', weekly, false],
      ['2026-12-14', weekly + 1_200, true],
    ]);
    expect(utilisation.body.items[1]!.utilisationBasisPoints).toBe(Math.round(((weekly + 1_200) * 10_000) / capacity));

    await scheduling.updateAssignment(second.id, { status: 'cancelled' });
    await event('com.psconnect.scheduling.assignment.cancelled', second.id);
    await settle(second.id, 2);
    expect((await call<{ items: unknown[] }>('GET', '/staffing-conflicts?status=open')).body.items).toEqual([]);
    expect((await call<{ items: Array<{ status: string }> }>('GET', '/staffing-conflicts?status=resolved')).body.items).toHaveLength(1);
    expect((await call('GET', `/forecasts/01a216af-078d-7328-958b-9a2e69a1e260`)).status).toBe(404);
  });
});
