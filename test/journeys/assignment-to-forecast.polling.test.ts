// Assignment to forecast with the scheduling platform as Float is: no webhooks. The layer reads
// changed allocations on a schedule (modified_since) and finds deleted ones against what it has
// seen; each change starts one forecast run, including changes made while the layer was down.
// With a relay's webhooks switched on, a change seen by both the webhook and the poll runs once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursor } from '../../core/change-capture/index.js';
import type { Store } from '../../core/store/index.js';
import { ASSIGNMENT_STREAM, assignmentToForecastModule, POLLED_SOURCE } from '../../process-apis/assignment-to-forecast/index.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { createSandboxApp, listen, type RunningSandbox } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN } from '../../sandboxes/scheduling/index.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { catalogueOf, createBillableProject } from './support/billing-harness.js';
import { callJson, until } from './support/http.js';

const BASE = '/process/assignment-to-forecast/v1';
const SECRET = `whsec_${Buffer.from('scheduling-relay-test-secret-32by').toString('base64')}`;
const FINISHED = new Set(['succeeded', 'failed']);
/** Polls often and compares the whole list on every pass, so that the test takes seconds. */
const FAST_POLL = { SCHEDULING_POLL_INTERVAL_MS: '100', SCHEDULING_DELETION_CHECK_MS: '0' };
/** Polling ten times a second reads far more than Float's 200 a minute: the test's account may read more (writes stay Float's). */
const BUSY_ACCOUNT = { rateLimit: { reads: 5_000 } };

type FloatTask = { task_id: number; project_id: number; people_id: number; hours: number; start_date: string; end_date: string };
type Forecast = { periods: Array<{ periodStart: string; plannedMinutes: number }> };

describe.each(testEngines().map((e) => [e.name, e] as const))('assignment-to-forecast by polling on %s', (_name, engine) => {
  let key: SigningKey;
  let jwks: TestJwks;
  let headers: Record<string, string>;
  let catalogue: Awaited<ReturnType<typeof catalogueOf>>;
  const open: Array<{ close(): Promise<void> }> = [];

  /** Float as a person uses it: its own API with the account's token. */
  const float = async <T>(sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${SCHEDULING_SANDBOX_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
  };
  const layerOn = async (sandbox: RunningSandbox, databaseUrl: string, env: Record<string, string> = {}): Promise<TestGateway> => {
    const gateway = await startGateway(
      jwks.url,
      { SANDBOXES: 'embedded', DATABASE_URL: databaseUrl, SCHEDULING_BASE_URL: sandbox.url, ...FAST_POLL, ...env },
      { catalogue, apis: [assignmentToForecastModule] },
    );
    open.push(gateway);
    return gateway;
  };
  const runsOf = async (gateway: TestGateway, subject?: string): Promise<Run[]> => {
    const res = await callJson<{ items: Run[] }>(
      gateway.url,
      'GET',
      `${BASE}/runs?limit=100${subject ? `&subject=${subject}` : ''}`,
      headers,
    );
    if (res.status !== 200) throw new Error(`listing runs answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.items;
  };
  /** Waits until the layer has exactly `count` finished runs (all of them, or one subject's). */
  const settle = (gateway: TestGateway, count: number, subject?: string) =>
    until(
      () => runsOf(gateway, subject),
      (items) => items.length === count && items.every((r) => FINISHED.has(r.status)),
      `${count} finished forecast runs${subject ? ` of ${subject}` : ''}`,
    );
  /** Waits for two more complete passes of the poll, so that a second run would have been started by now. */
  const twoMorePasses = async (store: Store) => {
    const before = (await readCursor(store.db, ASSIGNMENT_STREAM))?.caughtUpAt?.getTime() ?? 0;
    let passes = 0;
    let last = before;
    await until(
      async () => {
        const at = (await readCursor(store.db, ASSIGNMENT_STREAM))?.caughtUpAt?.getTime() ?? 0;
        if (at > last) {
          passes += 1;
          last = at;
        }
        return passes;
      },
      (n) => n >= 2,
      'two more complete polls',
    );
  };
  const inboxSources = async (store: Store) =>
    (await store.db.selectFrom('inbox_messages').select(['source', 'state']).execute()).map((m) => `${m.source}:${m.state}`).sort();

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    headers = bearer(await token({ key, scope: 'process:read process:write', clientId: 'forecast-polling-test' }));
    catalogue = await catalogueOf([{ layer: 'process', api: 'assignment-to-forecast', major: 1 }]);
  });
  afterAll(async () => {
    for (const o of open.reverse()) await o.close();
    await jwks?.close();
    await engine.cleanup();
  });

  it('forecasts each change once with webhooks off, including changes made while the layer was down', { timeout: 180_000 }, async () => {
    const sandbox = await listen(createSandboxApp(createSchedulingSandbox(BUSY_ACCOUNT)).app);
    open.push(sandbox);
    const databaseUrl = await engine.freshUrl();
    let layer = await layerOn(sandbox, databaseUrl);
    const { scheduling, erp } = layer.layers.systemApis;
    const { engagement } = await createBillableProject(erp, 'DE', 'Birkenhain Leasing GmbH');
    await scheduling.putProject(engagement.id, { name: engagement.name, budget: { amountMinor: 10_000_000, currency: 'EUR' } });
    const resource = (await scheduling.listResources({ limit: 200, status: 'active' })).items[0]!;
    const capacity = resource.capacityMinutesPerWeek;
    const forecastMinutes = async () =>
      (await callJson<Forecast>(layer.url, 'GET', `${BASE}/forecasts/${engagement.id}?granularity=week`, headers)).body.periods.map((p) => [
        p.periodStart,
        p.plannedMinutes,
      ]);

    const first = await scheduling.createAssignment({
      engagementId: engagement.id,
      resourceId: resource.id,
      role: 'consultant',
      startDate: '2026-12-07',
      endDate: '2026-12-18',
      minutesPerWeek: capacity - 1_200,
    });
    expect(
      (await settle(layer, 1, first.id)).map((r) => r.status),
      'the poll found the new allocation: one run',
    ).toEqual(['succeeded']);
    await scheduling.updateAssignment(first.id, { minutesPerWeek: capacity - 1_800 });
    expect((await settle(layer, 2, first.id)).length, 'the change to it: a second run').toBe(2);
    expect(await forecastMinutes(), 'the forecast is the platform’s latest state').toEqual([
      ['2026-12-07', capacity - 1_800],
      ['2026-12-14', capacity - 1_800],
    ]);
    const second = await scheduling.createAssignment({
      engagementId: engagement.id,
      resourceId: resource.id,
      role: 'consultant',
      startDate: '2026-12-14',
      endDate: '2026-12-18',
      minutesPerWeek: 2_400,
    });
    await settle(layer, 1, second.id);
    const openConflicts = async () =>
      (await callJson<{ items: unknown[] }>(layer.url, 'GET', `${BASE}/staffing-conflicts?status=open`, headers)).body.items.length;
    expect(await openConflicts(), 'the second booking takes the consultant past capacity').toBe(1);

    // The layer stops; in Float, someone changes the first allocation, deletes the second and adds a third.
    await layer.close();
    open.splice(open.indexOf(layer), 1);
    const [project] = (await float<Array<{ project_id: number; name: string }>>(sandbox, 'GET', '/v3/projects?per-page=200')).body.filter(
      (p) => p.name === engagement.name,
    );
    const tasks = (await float<FloatTask[]>(sandbox, 'GET', `/v3/tasks?project_id=${project!.project_id}`)).body;
    expect(tasks.length, 'Float holds the two allocations').toBe(2);
    const [a, b] = [...tasks].sort((x, y) => x.task_id - y.task_id);
    expect((await float(sandbox, 'PATCH', `/v3/tasks/${a!.task_id}`, { hours: 5 })).status, 'first allocation changed in Float').toBe(200);
    expect((await float(sandbox, 'DELETE', `/v3/tasks/${b!.task_id}`)).status, 'second allocation deleted in Float').toBe(204);
    const added = await float<FloatTask>(sandbox, 'POST', '/v3/tasks', {
      people_id: a!.people_id,
      project_id: project!.project_id,
      start_date: '2027-01-04',
      end_date: '2027-01-08',
      hours: 2,
    });
    expect(added.status, 'a third allocation added in Float').toBe(201);

    layer = await layerOn(sandbox, databaseUrl);
    const store = layer.layers.infra.store;
    // Before: 2 runs of the first, 1 of the second. After: one more each, and one for the new allocation.
    const runs = await settle(layer, 6);
    expect(
      runs.every((r) => r.status === 'succeeded'),
      'every run succeeded',
    ).toBe(true);
    await twoMorePasses(store);
    expect((await runsOf(layer)).length, 'polling on started nothing twice').toBe(6);
    expect((await runsOf(layer, first.id)).length, 'the changed allocation: one more run').toBe(3);
    expect((await runsOf(layer, second.id)).length, 'the deleted allocation: one more run').toBe(2);
    expect(await forecastMinutes(), 'the forecast holds the change made while the layer was down (5 h a day)').toEqual([
      ['2026-12-07', 1_500],
      ['2026-12-14', 1_500],
      ['2027-01-04', 600],
    ]);
    expect(await openConflicts(), 'the deleted booking no longer over-allocates').toBe(0);
    const onPlatform = (await float<FloatTask[]>(sandbox, 'GET', `/v3/tasks?project_id=${project!.project_id}`)).body;
    expect(onPlatform.map((t) => t.task_id).sort(), 'Float’s own list: the changed and the added allocation, not the deleted one').toEqual(
      [a!.task_id, added.body.task_id].sort(),
    );
    expect(await inboxSources(store), 'every change came through the poll; no webhook arrived').toEqual(
      Array.from({ length: 6 }, () => `${POLLED_SOURCE}:processed`),
    );
    const metrics = await (await fetch(`${layer.url}/metrics`, { headers: bearer(await token({ key, scope: 'ops:read' })) })).text();
    expect(metrics, 'this process recorded the three changes made while the layer was down').toContain(
      `layer_change_capture_changes_recorded_total{stream="${ASSIGNMENT_STREAM}"} 3`,
    );
    expect(metrics, 'the poll is not behind').toMatch(
      new RegExp(`layer_change_capture_lag_seconds\\{stream="${ASSIGNMENT_STREAM}"\\} \\d`),
    );
    expect(metrics, 'forecasts observed their sync latency from the allocations’ modification on the platform').toMatch(
      /layer_journey_sync_latency_seconds_count\{journey="assignment-to-forecast"\} [1-9]/,
    );
    const left = /layer_platform_rate_budget_remaining\{platform="scheduling",kind="read"\} (\d+)/.exec(metrics);
    expect(Number(left?.[1]), 'the read budget left: the account’s, less what the polls read').toBeLessThan(5_000);
    expect(Number(left?.[1]), 'which the polls did not exhaust').toBeGreaterThan(0);
    expect(metrics, 'and the write budget, untouched by this process').toContain(
      'layer_platform_rate_budget_remaining{platform="scheduling",kind="write"} 100',
    );
  });

  it('starts one run when a relay’s webhook and the poll both bring the same change', { timeout: 120_000 }, async () => {
    const relayed = createSandboxApp(createSchedulingSandbox({ ...BUSY_ACCOUNT, webhooks: true }), { webhookSecret: SECRET });
    const sandbox = await listen(relayed.app);
    open.push(sandbox);
    const layer = await layerOn(sandbox, await engine.freshUrl(), { SCHEDULING_WEBHOOK_SECRET: SECRET });
    relayed.ctx.webhooks.subscribe(`${layer.url}/webhooks/scheduling`);
    const { scheduling, erp } = layer.layers.systemApis;
    const { store } = layer.layers.infra;
    const { engagement } = await createBillableProject(erp, 'DE', 'Erlenbruch Facility KG');
    await scheduling.putProject(engagement.id, { name: engagement.name, budget: { amountMinor: 1_000_000, currency: 'EUR' } });
    const resource = (await scheduling.listResources({ limit: 200, status: 'active' })).items[0]!;
    const assignment = await scheduling.createAssignment({
      engagementId: engagement.id,
      resourceId: resource.id,
      role: 'consultant',
      startDate: '2026-11-02',
      endDate: '2026-11-06',
      minutesPerWeek: 1_200,
    });
    await relayed.ctx.webhooks.drain();
    await until(
      () => inboxSources(store),
      (sources) => sources.length === 2 && sources.every((s) => s.endsWith(':processed')),
      'the webhook and the polled change both processed',
    );
    expect(await inboxSources(store), 'one webhook and one polled record of the same change').toEqual([
      `${POLLED_SOURCE}:processed`,
      'scheduling:processed',
    ]);
    await twoMorePasses(store);
    const runs = await settle(layer, 1, assignment.id);
    expect(
      runs.map((r) => r.status),
      'the change was forecast once',
    ).toEqual(['succeeded']);
    expect((await runsOf(layer)).length, 'and nothing else ran').toBe(1);
  });
});
