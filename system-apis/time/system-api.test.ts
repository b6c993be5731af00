// The time system API through the real gateway (JWT, scopes, contract validation of every
// request and response) against the Harvest-shaped sandbox, on each store engine available.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import { FLAG } from '../../sandboxes/time/entry-table.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { apiClient, catalogueOf, idempotencyHeader } from '../../test/support/api-client.js';
import {
  bearer,
  makeKey,
  startGateway,
  startJwks,
  token,
  type SigningKey,
  type TestGateway,
  type TestJwks,
} from '../../test/gateway/support.js';
import type { Expense, TimeEntry, TimesheetApproval } from './canonical.js';
import { TimeConnector } from './connector.js';
import { timeSystemModule } from './module.js';
import { createTimeSystemApi, type ExpensePage, type TimeEntryPage } from './service.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('time system API on %s', (_name, engine) => {
  let sandbox: SandboxApp<TimeState>;
  let running: RunningSandbox;
  let store: Store;
  let connector: TimeConnector;
  let jwks: TestJwks;
  let key: SigningKey;
  let gateway: TestGateway;
  let readWrite: Record<string, string>;

  const { call } = apiClient(
    () => gateway.url,
    '/system/time/v1',
    () => readWrite,
  );
  const idem = idempotencyHeader;

  async function all(query: string): Promise<TimeEntry[]> {
    const seen: TimeEntry[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: TimeEntryPage } = await call<TimeEntryPage>(
        'GET',
        `/time-entries?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  }

  /** What the sandbox holds: approved, billable, not billed. */
  function approvedUnbilledInSandbox(): number {
    const t = sandbox.ctx.state().entries;
    let n = 0;
    for (let r = 0; r < t.size; r++)
      if (t.approval[r] === 2 && t.flags[r] & FLAG.billable && !(t.flags[r] & (FLAG.billed | FLAG.deleted))) n++;
    return n;
  }

  beforeAll(async () => {
    sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 100_000, windowSeconds: 15 } }));
    running = await listen(sandbox.app);
    store = await migratedStore(engine);
    connector = new TimeConnector({
      baseUrl: running.url,
      accessToken: TIME_SANDBOX_TOKEN,
      accountId: TIME_SANDBOX_ACCOUNT_ID,
      timeoutMs: 2_000,
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { consecutiveFailures: 1000 },
    });
    const timeSystem = createTimeSystemApi({ connector, store });
    key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      {},
      {
        catalogue: await catalogueOf([{ layer: 'system', api: 'time', major: 1 }]),
        apis: [timeSystemModule],
        layers: { infra: { store }, systemApis: { time: timeSystem } },
      },
    );
    readWrite = bearer(await token({ key, scope: 'time:read time:write', clientId: 'test-client' }));
  });
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
    await connector?.close();
    await running?.close();
    await store?.close();
    await engine.cleanup();
  });
  beforeEach(() => sandbox.ctx.faults.clear());

  it('lists approved, unbilled entries since a cursor, over pages, with stable ids', async () => {
    const entries = await all('approvalStatus=approved&billingStatus=unbilled&limit=5');
    expect(entries.length).toBe(approvedUnbilledInSandbox());
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.every((e) => e.approvalStatus === 'approved' && e.billingStatus === 'unbilled' && e.billable)).toBe(true);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    const again = await all('approvalStatus=approved&billingStatus=unbilled&limit=200');
    expect(again.map((e) => e.id).sort()).toEqual(entries.map((e) => e.id).sort());
    expect((await call<TimeEntry>('GET', `/time-entries/${entries[0].id}`)).body).toEqual(entries[0]);
    expect(await all(`updatedSince=${encodeURIComponent('2999-01-01T00:00:00Z')}`)).toEqual([]);
  });

  it('filters by resource, engagement and work dates', async () => {
    const [first] = await all('limit=1');
    const mine = await all(`resourceId=${first.resourceId}&limit=200`);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.resourceId === first.resourceId)).toBe(true);
    const onEngagement = await all(`engagementId=${first.engagementId}&from=${first.workDate}&to=${first.workDate}`);
    expect(onEngagement.every((e) => e.engagementId === first.engagementId && e.workDate === first.workDate)).toBe(true);
    expect(await all(`resourceId=${newId()}`)).toEqual([]);
  });

  it('marks an entry billed on one invoice line, idempotently, and refuses a second invoice', async () => {
    const [entry] = await all('approvalStatus=approved&billingStatus=unbilled&limit=1');
    const billing = { billingStatus: 'billed', invoiceId: newId(), invoiceLineId: newId() };
    const headers = idem();
    const billed = await call<TimeEntry>('PATCH', `/time-entries/${entry.id}`, { body: billing, headers });
    expect(billed.status).toBe(200);
    expect(billed.body).toMatchObject({
      id: entry.id,
      billingStatus: 'billed',
      invoiceId: billing.invoiceId,
      invoiceLineId: billing.invoiceLineId,
    });
    expect((await call('PATCH', `/time-entries/${entry.id}`, { body: billing, headers })).headers.get('idempotent-replayed')).toBe('true');
    const again = await call<TimeEntry>('PATCH', `/time-entries/${entry.id}`, { body: billing, headers: idem() });
    expect(again.status).toBe(200);
    expect(again.body.updatedAt).toBe(billed.body.updatedAt);
    const other = await call('PATCH', `/time-entries/${entry.id}`, { body: { ...billing, invoiceLineId: newId() }, headers: idem() });
    expect(other.status).toBe(409);
    expect((await all('approvalStatus=approved&billingStatus=unbilled&limit=200')).some((e) => e.id === entry.id)).toBe(false);
    expect((await call<TimeEntry>('GET', `/time-entries/${entry.id}`)).body.invoiceLineId).toBe(billing.invoiceLineId);
  });

  it('refuses to bill non-billable work and answers unknown ids with 404', async () => {
    const internal = (await all('limit=200')).find((e) => !e.billable);
    expect(internal).toBeDefined();
    const refused = await call<{ type: string }>('PATCH', `/time-entries/${internal?.id}`, {
      body: { billingStatus: 'billed', invoiceId: newId() },
      headers: idem(),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/business-rule-violation');
    expect((await call('GET', `/time-entries/${newId()}`)).status).toBe(404);
    expect((await call('GET', '/time-entries?limit=500')).status).toBe(400);
    expect((await call('GET', '/time-entries?cursor=%%%')).status).toBe(400);
  });

  it('submits and approves a resource’s week', async () => {
    const [draft] = await all('approvalStatus=draft&limit=1');
    expect(draft).toBeDefined();
    const submit = await call<TimesheetApproval>('POST', '/timesheet-approvals', {
      body: { resourceId: draft.resourceId, weekOf: draft.workDate, action: 'submit' },
      headers: idem(),
    });
    expect(submit.status).toBe(200);
    expect(submit.body.timeEntryIds).toContain(draft.id);
    const approve = await call<TimesheetApproval>('POST', '/timesheet-approvals', {
      body: { resourceId: draft.resourceId, weekOf: draft.workDate, action: 'approve' },
      headers: idem(),
    });
    expect(approve.body).toMatchObject({ resourceId: draft.resourceId, approvalStatus: 'approved' });
    expect((await call<TimeEntry>('GET', `/time-entries/${draft.id}`)).body.approvalStatus).toBe('approved');
    const empty = await call('POST', '/timesheet-approvals', {
      body: { resourceId: draft.resourceId, weekOf: '2020-01-06', action: 'approve' },
      headers: idem(),
    });
    expect(empty.status).toBe(422);
  });

  it('lists expenses in minor units and bills one', async () => {
    const page = await call<ExpensePage>('GET', '/expenses?limit=200');
    expect(page.body.items).toHaveLength(4);
    const [expense] = page.body.items.filter((e) => e.billingStatus === 'unbilled');
    expect(Number.isInteger(expense.amount.amountMinor)).toBe(true);
    const billed = await call<Expense>('PATCH', `/expenses/${expense.id}`, {
      body: { billingStatus: 'billed', invoiceId: newId() },
      headers: idem(),
    });
    expect(billed.body).toMatchObject({ billingStatus: 'billed', amount: expense.amount });
  });

  it('creates the project for an engagement once, and its entries then carry that engagement id', async () => {
    const engagementId = newId();
    const body = { name: 'Woodgrove finance close', code: 'WG-FC', clientName: 'Woodgrove Bank', currency: 'GBP' };
    const created = await call<{ engagementId: string; currency: string }>('PUT', `/projects/${engagementId}`, { body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, engagementId, billable: true, active: true });
    const updated = await call('PUT', `/projects/${engagementId}`, { body: { ...body, name: 'Woodgrove finance close 2026' } });
    expect(updated.status).toBe(200);
    expect((await call<{ name: string }>('GET', `/projects/${engagementId}`)).body.name).toBe('Woodgrove finance close 2026');
    const state = sandbox.ctx.state();
    expect(state.clients.filter((c) => c.name === 'Woodgrove Bank')).toHaveLength(1);
    const project = state.projects.at(-1)!;
    const user = state.users[0];
    const task = state.tasks[1];
    const res = await fetch(`${running.url}/v2/time_entries`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TIME_SANDBOX_TOKEN}`,
        'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID,
        'user-agent': 'test (a@b.c)',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ user_id: user.id, project_id: project.id, task_id: task.id, spent_date: '2025-07-01', hours: 2 }),
    });
    expect(res.status).toBe(201);
    const entries = await all(`engagementId=${engagementId}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ engagementId, durationMinutes: 120, role: 'consultant', approvalStatus: 'draft' });
    const clash = await call('PUT', `/projects/${newId()}`, { body: { ...body, currency: 'EUR' } });
    expect(clash.status).toBe(422);
    expect((await call('GET', `/projects/${newId()}`)).status).toBe(404);
  });

  it('turns platform failures into 502/503 problem details', async () => {
    sandbox.ctx.faults.set({ paths: '/v2', errorRate: 1, errorStatus: 500 });
    const failed = await call<{ type: string; platform: string }>('GET', '/time-entries');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ type: '/problems/upstream-error', platform: 'time' });
    sandbox.ctx.faults.set({ errorRate: 0, outageUntil: new Date(Date.now() + 60_000).toISOString() });
    const outage = await call('GET', '/expenses');
    expect(outage.status).toBe(503);
    expect(outage.headers.get('retry-after')).toBeTruthy();
  });
});
