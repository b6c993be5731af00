// Scheduling webhooks through the real gateway to the assignment-to-forecast journey: the
// scheduling sandbox signs task.created/updated/deleted, the gateway's inbox verifies and
// records each once, and every recorded change starts one forecast run. Deliveries arrive
// duplicated and in reverse order; the forecast still ends as the platform's latest state,
// and booking a consultant beyond capacity raises one staffing conflict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiplyMinutesByRate } from '../../core/money.js';
import { assignmentToForecastModule } from '../../process-apis/assignment-to-forecast/index.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { createSandboxApp, listen, type RunningSandbox } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox } from '../../sandboxes/scheduling/index.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { catalogueOf, createBillableProject } from './support/billing-harness.js';
import { callJson, until } from './support/http.js';

const BASE = '/process/assignment-to-forecast/v1';
const SECRET = `whsec_${Buffer.from('scheduling-webhook-test-secret-32b').toString('base64')}`;
const FINISHED = new Set(['succeeded', 'failed']);

type Delivery = { webhookId: string; eventType: string; status?: number; duplicate: boolean };
type Forecast = {
  currency: string;
  periods: Array<{ periodStart: string; plannedMinutes: number; plannedRevenue: { amountMinor: number } }>;
};
type Conflict = {
  resourceId: string;
  weekStart: string;
  assignedMinutes: number;
  capacityMinutes: number;
  assignmentIds: string[];
  status: string;
};

describe.each(testEngines().map((e) => [e.name, e] as const))('scheduling webhooks to assignment-to-forecast on %s', (_name, engine) => {
  let sandbox: RunningSandbox;
  let jwks: TestJwks;
  let gateway: TestGateway;
  let headers: Record<string, string>;
  const call = <T>(method: string, path: string, body?: unknown) => callJson<T>(gateway.url, method, `${BASE}${path}`, headers, body);
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: ${res.status}`);
    return res.status === 204 ? undefined : ((await res.json()) as unknown);
  };
  const deliveries = async () =>
    ((await admin('GET', '/webhooks')) as { deliveries: Delivery[] }).deliveries.filter((d) => d.eventType.startsWith('task.'));
  /** Waits until every task webhook was delivered and every run it started has finished. */
  const settle = async (runs: number) => {
    await admin('POST', '/webhooks/drain');
    return until(
      async () => {
        const res = await call<{ items: Run[] }>('GET', '/runs?limit=100');
        if (res.status !== 200) throw new Error(`listing runs answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.items;
      },
      (items) => items.length === runs && items.every((r) => FINISHED.has(r.status)),
      `${runs} forecast runs`,
    );
  };

  beforeAll(async () => {
    // A scheduling sandbox of the test's own, so that its faults can be set; ERP and the rest are embedded.
    sandbox = await listen(createSandboxApp(createSchedulingSandbox({ webhooks: true }), { webhookSecret: SECRET }).app);
    const key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      {
        SANDBOXES: 'embedded',
        DATABASE_URL: await engine.freshUrl(),
        SCHEDULING_BASE_URL: sandbox.url,
        SCHEDULING_WEBHOOK_SECRET: SECRET,
      },
      {
        catalogue: await catalogueOf([{ layer: 'process', api: 'assignment-to-forecast', major: 1 }]),
        apis: [assignmentToForecastModule],
      },
    );
    await admin('POST', '/webhooks', { url: `${gateway.url}/webhooks/scheduling`, secret: SECRET });
    headers = bearer(await token({ key, scope: 'process:read process:write', clientId: 'forecast-webhook-test' }));
  });
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
    await sandbox?.close();
    await engine.cleanup();
  });

  it('refuses an unsigned scheduling webhook', async () => {
    const res = await fetch(`${gateway.url}/webhooks/scheduling`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      },
      body: JSON.stringify({ event: 'task.created', timestamp: new Date().toISOString(), data: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it(
    'keeps one consistent forecast through duplicated, reordered deliveries and raises one conflict on over-allocation',
    { timeout: 180_000 },
    async () => {
      const { scheduling, erp } = gateway.layers.systemApis;
      const { store } = gateway.layers.infra;
      const { engagement } = await createBillableProject(erp, 'DE', 'Auenwald Rückversicherung AG');
      await scheduling.putProject(engagement.id, { name: engagement.name, budget: { amountMinor: 10_000_000, currency: 'EUR' } });
      const resource = (await scheduling.listResources({ limit: 200, status: 'active' })).items[0]!;
      const capacity = resource.capacityMinutesPerWeek;
      const weekly = capacity - 1_200;

      // Every delivery is sent twice, and each batch (create then update, sent together) in reverse.
      // The window is wide enough for both writes to land in one batch on a loaded machine.
      await admin('PUT', '/faults', { webhookDuplicateRate: 1, webhookReorder: true, webhookReorderWindowMs: 3_000 });
      const first = await scheduling.createAssignment({
        engagementId: engagement.id,
        resourceId: resource.id,
        role: 'consultant',
        startDate: '2026-12-07',
        endDate: '2026-12-18',
        minutesPerWeek: capacity - 600,
      });
      await scheduling.updateAssignment(first.id, { minutesPerWeek: weekly });
      const runs = await settle(2);
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      // Both runs carry the assignment's canonical id, linked when the first webhook was recorded.
      expect((await call<{ items: Run[] }>('GET', `/runs?subject=${first.id}`)).body.items).toHaveLength(2);

      const sent = await deliveries();
      expect(sent.map((d) => d.eventType)).toEqual(['task.updated', 'task.updated', 'task.created', 'task.created']);
      // The second copy of each webhook id is answered as a duplicate (200), the first recorded (202).
      expect(sent.map((d) => [d.duplicate, d.status])).toEqual([
        [false, 202],
        [true, 200],
        [false, 202],
        [true, 200],
      ]);
      const recorded = await store.db
        .selectFrom('inbox_messages')
        .select(['webhook_id', 'state'])
        .where('source', '=', 'scheduling')
        .execute();
      expect(recorded.map((m) => m.state)).toEqual(['processed', 'processed']);
      expect(new Set(recorded.map((m) => m.webhook_id))).toEqual(new Set(sent.filter((d) => !d.duplicate).map((d) => d.webhookId)));

      // The created event was handled last, yet the forecast is the platform's latest state.
      const forecast = await call<Forecast>('GET', `/forecasts/${engagement.id}?granularity=week`);
      expect(forecast.status).toBe(200);
      expect(forecast.body.currency).toBe('EUR');
      expect(forecast.body.periods.map((p) => [p.periodStart, p.plannedMinutes, p.plannedRevenue.amountMinor])).toEqual([
        ['2026-12-07', weekly, multiplyMinutesByRate(weekly, 16_000)],
        ['2026-12-14', weekly, multiplyMinutesByRate(weekly, 16_000)],
      ]);
      expect((await call<{ items: unknown[] }>('GET', '/staffing-conflicts?status=open')).body.items).toEqual([]);

      // A second booking in the second week takes the consultant past capacity: one conflict.
      const second = await scheduling.createAssignment({
        engagementId: engagement.id,
        resourceId: resource.id,
        role: 'consultant',
        startDate: '2026-12-14',
        endDate: '2026-12-18',
        minutesPerWeek: 2_400,
      });
      await settle(3);
      const open = await call<{ items: Conflict[] }>('GET', '/staffing-conflicts?status=open');
      expect(
        open.body.items.map((c) => [c.resourceId, c.weekStart, c.assignedMinutes, c.capacityMinutes, [...c.assignmentIds].sort()]),
      ).toEqual([[resource.id, '2026-12-14', weekly + 2_400, capacity, [first.id, second.id].sort()]]);
      const utilisation = await call<{ items: Array<{ weekStart: string; assignedMinutes: number; overAllocated: boolean }> }>(
        'GET',
        `/utilisation?resourceId=${resource.id}`,
      );
      expect(utilisation.body.items.map((u) => [u.weekStart, u.assignedMinutes, u.overAllocated])).toEqual([
        ['2026-12-07', weekly, false],
        ['2026-12-14', weekly + 2_400, true],
      ]);

      // Cancelling the second booking on the platform (task.deleted) resolves the conflict.
      await scheduling.updateAssignment(second.id, { status: 'cancelled' });
      await settle(4);
      expect((await call<{ items: unknown[] }>('GET', '/staffing-conflicts?status=open')).body.items).toEqual([]);
      expect((await call<{ items: Conflict[] }>('GET', '/staffing-conflicts?status=resolved')).body.items).toHaveLength(1);
      const after = await call<Forecast>('GET', `/forecasts/${engagement.id}?granularity=week`);
      expect(after.body.periods.map((p) => p.plannedMinutes)).toEqual([weekly, weekly]);
      expect(await store.db.selectFrom('inbox_messages').select('webhook_id').where('source', '=', 'scheduling').execute()).toHaveLength(4);
    },
  );
});
