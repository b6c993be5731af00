// Reconciliation of assignment-to-forecast against the scheduling platform: with the change poll
// off, allocations are changed, deleted, added and made tentative in Float, and a person's hours
// cut, behind the layer's back. The `assignments-forecast` check finds each, its safe repairs run
// the journey, and Float's own list then matches the forecast; a clean state (seeded projects the
// layer never provisioned included) reports nothing. `forecast-runs` reports a failed run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/xref/index.js';
import {
  assignmentsForecastCheck,
  assignmentToForecastModule,
  forecastRunsCheck,
  type ForecastChecksDeps,
} from '../../process-apis/assignment-to-forecast/index.js';
import type { CheckContext, Finding, ReconciliationCheck } from '../../process-apis/kit/reconciliation.js';
import type { Run } from '../../process-apis/kit/run-view.js';
import { createSandboxApp, listen, type RunningSandbox } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN } from '../../sandboxes/scheduling/index.js';
import { bearer, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from '../gateway/support.js';
import { testEngines } from '../support/stores.js';
import { catalogueOf, createBillableProject } from './support/billing-harness.js';
import { callJson, until } from './support/http.js';

const BASE = '/process/assignment-to-forecast/v1';
const FINISHED = new Set(['succeeded', 'failed']);
const ACTOR = { consumer: 'reconciliation-test' };

type FloatTask = { task_id: number; project_id: number; people_id: number; hours: number; name: string | null };
type Forecast = { periods: Array<{ periodStart: string; plannedMinutes: number }> };

describe.each(testEngines().map((e) => [e.name, e] as const))('assignment-to-forecast reconciliation on %s', (_name, engine) => {
  let jwks: TestJwks;
  let headers: Record<string, string>;
  let sandbox: RunningSandbox;
  let layer: TestGateway;
  const open: Array<{ close(): Promise<void> }> = [];

  const float = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${SCHEDULING_SANDBOX_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
  };
  const layerOn = async (databaseUrl: string, pollMs: string, catalogue: Awaited<ReturnType<typeof catalogueOf>>) => {
    const gateway = await startGateway(
      jwks.url,
      {
        SANDBOXES: 'embedded',
        DATABASE_URL: databaseUrl,
        SCHEDULING_BASE_URL: sandbox.url,
        SCHEDULING_POLL_INTERVAL_MS: pollMs,
        SCHEDULING_DELETION_CHECK_MS: '0',
      },
      { catalogue, apis: [assignmentToForecastModule] },
    );
    open.push(gateway);
    return gateway;
  };
  const checkDeps = (): ForecastChecksDeps => ({
    store: layer.layers.infra.store,
    scheduling: layer.layers.systemApis.scheduling,
    erp: layer.layers.systemApis.erp,
  });
  const pass = async (check: ReconciliationCheck) => {
    let compared = 0;
    const ctx: CheckContext = { now: new Date(), compared: (n) => void (compared += n), signal: new AbortController().signal };
    const findings = await check.run(ctx);
    return { findings, compared };
  };
  const runs = async (subject?: string) =>
    (await callJson<{ items: Run[] }>(layer.url, 'GET', `${BASE}/runs?limit=100${subject ? `&subject=${subject}` : ''}`, headers)).body
      .items;
  const settle = (count: number) =>
    until(
      () => runs(),
      (items) => items.length === count && items.every((r) => FINISHED.has(r.status)),
      `${count} finished forecast runs`,
    );
  const forecastOf = async (engagementId: string) =>
    (await callJson<Forecast>(layer.url, 'GET', `${BASE}/forecasts/${engagementId}?granularity=week`, headers)).body.periods.map((p) => [
      p.periodStart,
      p.plannedMinutes,
    ]);

  beforeAll(async () => {
    const key = await makeKey();
    jwks = await startJwks([key]);
    headers = bearer(await token({ key, scope: 'process:read process:write', clientId: 'forecast-reconciliation-test' }));
  });
  afterAll(async () => {
    for (const o of open.reverse()) await o.close();
    await jwks?.close();
    await engine.cleanup();
  });

  it(
    'finds changed, deleted and added allocations and a cut capacity, repairs them, then reports nothing',
    { timeout: 180_000 },
    async () => {
      // The default seed: people, projects and allocations the layer never provisioned (out of scope).
      sandbox = await listen(createSandboxApp(createSchedulingSandbox({ rateLimit: { reads: 5_000 } })).app);
      open.push(sandbox);
      const catalogue = await catalogueOf([{ layer: 'process', api: 'assignment-to-forecast', major: 1 }]);
      const databaseUrl = await engine.freshUrl();
      layer = await layerOn(databaseUrl, '100', catalogue);
      const { scheduling, erp } = layer.layers.systemApis;
      const { engagement } = await createBillableProject(erp, 'DE', 'Ahornweg Logistik GmbH');
      await scheduling.putProject(engagement.id, { name: engagement.name, budget: { amountMinor: 10_000_000, currency: 'EUR' } });
      const [r1, r2, r3] = (await scheduling.listResources({ limit: 200, status: 'active' })).items;
      const book = (resourceId: string, startDate: string, endDate: string, minutesPerWeek: number) =>
        scheduling.createAssignment({ engagementId: engagement.id, resourceId, role: 'consultant', startDate, endDate, minutesPerWeek });
      const a = await book(r1!.id, '2026-11-30', '2026-12-11', 1_200);
      const b = await book(r1!.id, '2026-12-07', '2026-12-11', 600);
      const c = await book(r2!.id, '2026-11-30', '2026-12-04', 1_800);
      const e = await book(r3!.id, '2026-12-07', '2026-12-11', 600);
      await settle(4);
      const seeded = (await float<FloatTask[]>('GET', '/v3/tasks?per-page=200')).body.length;
      expect(seeded, 'Float holds seeded allocations besides the four').toBeGreaterThan(4);

      // The poll stops (the layer restarts with it off): what follows in Float reaches no run.
      await layer.close();
      open.splice(open.indexOf(layer), 1);
      layer = await layerOn(databaseUrl, '0', catalogue);
      const check = assignmentsForecastCheck(checkDeps(), layer.layers.processApis.assignmentToForecast, { graceMs: 0 });
      const clean = await pass(check);
      expect(clean.findings, 'after the journeys ran, nothing is out of step (seeded projects are not the layer’s)').toEqual([]);
      expect(clean.compared, 'every allocation on the platform was compared').toBeGreaterThanOrEqual(seeded);

      const rate = await layer.layers.infra.store.db
        .selectFrom('atf_assignments')
        .select(['rate_minor', 'currency'])
        .where('assignment_id', '=', a.id)
        .executeTakeFirstOrThrow();
      expect(rate.rate_minor, 'the forecast prices the consultant on the engagement’s card').not.toBeNull();
      const [project] = (await float<Array<{ project_id: number; name: string }>>('GET', '/v3/projects?per-page=200')).body.filter(
        (p) => p.name === engagement.name,
      );
      const tasksInFloat = async () => (await float<FloatTask[]>('GET', `/v3/tasks?project_id=${project!.project_id}`)).body;
      const [ta, tb, tc, te] = (await tasksInFloat()).sort((x, y) => x.task_id - y.task_id);
      expect((await float('PATCH', `/v3/tasks/${ta!.task_id}`, { hours: 5 })).status, 'a: 4 h a day become 5 in Float').toBe(200);
      expect((await float('DELETE', `/v3/tasks/${tb!.task_id}`)).status, 'b: deleted in Float').toBe(204);
      const added = await float<FloatTask>('POST', '/v3/tasks', {
        people_id: ta!.people_id,
        project_id: project!.project_id,
        start_date: '2026-12-14',
        end_date: '2026-12-18',
        hours: 2,
        name: ta!.name,
      });
      expect(added.status, 'd: added in Float').toBe(201);
      expect((await float('PATCH', `/v3/tasks/${te!.task_id}`, { status: 1 })).status, 'e: made tentative in Float').toBe(200);
      const cut = await float('PATCH', `/v3/people/${tc!.people_id}`, { work_days_hours: [4, 4, 4, 4, 4, 0, 0] });
      expect(cut.status, 'r2: 6 h a day booked, the person’s hours cut to 4 in Float').toBe(200);

      const recent = await pass(assignmentsForecastCheck(checkDeps(), layer.layers.processApis.assignmentToForecast));
      expect(
        recent.findings.map((f) => f.type).sort(),
        'with the default grace, changes of the last two minutes are left to the poll; the deletion is not',
      ).toEqual(['forecast-for-removed-assignment', 'over-allocation-not-flagged']);

      const found = await pass(check);
      const byType = new Map(found.findings.map((f) => [f.type, f]));
      expect([...byType.keys()].sort(), 'one finding per mismatch').toEqual([
        'assignment-not-in-forecast',
        'forecast-assignment-differs',
        'forecast-for-removed-assignment',
        'forecast-hours-differ',
        'over-allocation-not-flagged',
      ]);
      expect(found.findings, 'and nothing else').toHaveLength(5);
      const atRate = (minutes: number) => ({ amountMinor: Math.round((minutes * Number(rate.rate_minor)) / 60), currency: rate.currency });
      const differ = byType.get('forecast-hours-differ')!;
      expect(differ.records[0], 'the changed assignment, by Float’s id').toMatchObject({
        platform: 'scheduling',
        entity: 'assignment',
        id: String(ta!.task_id),
        canonicalId: a.id,
      });
      expect(differ.records.at(-1), 'and the forecast that holds it').toMatchObject({
        platform: 'layer',
        url: `${BASE}/forecasts/${engagement.id}`,
      });
      expect(differ.detail).toContain('1500 min/week');
      expect(differ.moneyAtRisk, 'two weeks of one more hour a day, at the rate').toEqual(atRate(600));
      expect(differ.since, 'since Float changed it').toBeInstanceOf(Date);
      const removed = byType.get('forecast-for-removed-assignment')!;
      expect(removed.records[0]!.canonicalId, 'the deleted assignment').toBe(b.id);
      expect(removed.moneyAtRisk, 'the revenue the forecast still counts for it').toEqual(atRate(600));
      const missing = byType.get('assignment-not-in-forecast')!;
      expect(missing.records[1]!.canonicalId, 'an assignment of the engagement').toBe(engagement.id);
      expect(missing.moneyAtRisk, 'five days of two hours at the consultant’s rate').toEqual(atRate(600));
      const firmness = byType.get('forecast-assignment-differs')!;
      expect([firmness.records[0]!.canonicalId, firmness.detail], 'e: booked firmly in the forecast, tentatively in Float').toEqual([
        e.id,
        'Scheduling vs forecast: status tentative vs confirmed.',
      ]);
      expect(firmness.moneyAtRisk, 'the same hours: no money at risk').toBeNull();
      const over = byType.get('over-allocation-not-flagged')!;
      expect(over.key).toBe(`${r2!.id}|2026-11-30`);
      expect(over.records.map((r) => r.canonicalId)).toEqual([r2!.id, c.id]);
      expect(
        found.findings.every((f) => f.repair.safe),
        'every repair here is safe',
      ).toBe(true);

      const repairRuns: string[] = [];
      for (const f of found.findings) {
        const stored = { ...f, exceptionId: newId() };
        const { runId } = await check.repair(stored, ACTOR);
        expect((await check.repair(stored, ACTOR)).runId, `${f.type}: a repeated repair starts nothing new`).toBe(runId);
        repairRuns.push(runId!);
      }
      const finished = await until(
        () => Promise.all(repairRuns.map((id) => layer.layers.processApis.assignmentToForecast.getRun(id))),
        (all) => all.every((r) => FINISHED.has(r.status)),
        'the repair runs',
      );
      expect(
        finished.map((r) => r.status),
        'every repair ran through the journey',
      ).toEqual(Array.from({ length: 5 }, () => 'succeeded'));

      expect(await pass(check).then((p) => p.findings), 'repaired: the next pass finds nothing').toEqual([]);
      expect(await forecastOf(engagement.id), 'the forecast holds 5 h a day for a, nothing of b, and d').toEqual([
        ['2026-11-30', 1_500 + 1_800],
        ['2026-12-07', 1_500 + 600],
        ['2026-12-14', 600],
      ]);
      const live = await layer.layers.infra.store.db
        .selectFrom('atf_assignments')
        .select('assignment_id')
        .where('engagement_id', '=', engagement.id)
        .where('status', '!=', 'cancelled')
        .execute();
      expect(live.length, 'the forecast counts as many assignments as Float lists for the project').toBe((await tasksInFloat()).length);
      const conflicts = await callJson<{ items: Array<{ resourceId: string; weekStart: string }> }>(
        layer.url,
        'GET',
        `${BASE}/staffing-conflicts?status=open`,
        headers,
      );
      expect(
        conflicts.body.items.map((i) => [i.resourceId, i.weekStart]),
        'the cut hours flagged',
      ).toEqual([[r2!.id, '2026-11-30']]);

      // Hours restored in Float: the open conflict is now stale.
      await float('PATCH', `/v3/people/${tc!.people_id}`, { work_days_hours: [8, 8, 8, 8, 8, 0, 0] });
      const stale = (await pass(check)).findings;
      expect(
        stale.map((f) => [f.type, f.key]),
        'a flag the platform no longer justifies',
      ).toEqual([['stale-over-allocation-flag', `${r2!.id}|2026-11-30`]]);
      const { runId } = await check.repair({ ...stale[0]!, exceptionId: newId() }, ACTOR);
      await until(
        () => layer.layers.processApis.assignmentToForecast.getRun(runId!),
        (r) => FINISHED.has(r.status),
        'the resync',
      );
      expect((await pass(check)).findings, 'resolved').toEqual([]);
    },
  );

  it('reports a failed forecast run with the step that stopped', { timeout: 60_000 }, async () => {
    const failing = newId();
    await layer.layers.processApis.assignmentToForecast.startRun({ assignmentId: failing, change: 'changed' }, 'api');
    await until(
      () => runs(failing),
      (items) => items.length === 1 && items[0]!.status === 'failed',
      'the run for an assignment Scheduling never had fails',
    );
    const findings: Finding[] = (
      await pass(forecastRunsCheck({ store: layer.layers.infra.store, scheduling: layer.layers.systemApis.scheduling }))
    ).findings;
    expect(
      findings.map((f) => [f.type, f.records[0]!.id, f.run?.step]),
      'the failed run, its assignment and step',
    ).toEqual([['forecast-run-failed', failing, 'update-forecast']]);
    expect(findings[0]!.repair).toMatchObject({ safe: false, action: 'retry-run' });
  });
});
