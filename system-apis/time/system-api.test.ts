// The time system API through the real gateway (JWT, scopes, contract validation of every
// request and response) against the Harvest-shaped sandbox, on each store engine available.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import type { SandboxApp } from '../../sandboxes/kit/index.js';
import { TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import { FLAG } from '../../sandboxes/time/entry-table.js';
import { testEngines } from '../../test/support/stores.js';
import { idempotencyHeader } from '../../test/support/api-client.js';
import { startTimeSystemFixture, type TimeSystemFixture } from '../../test/support/time-system-fixture.js';
import type { Expense, TimeEntry } from './canonical.js';
import { timeIds } from './ids.js';
import type { ExpensePage, TimeEntryPage } from './service.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('time system API on %s', (_name, engine) => {
  let f: TimeSystemFixture;
  let sandbox: SandboxApp<TimeState>;
  let store: Store;
  const call: TimeSystemFixture['call'] = (method, path, opts) => f.call(method, path, opts);
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
    f = await startTimeSystemFixture(engine);
    ({ sandbox, store } = f);
  });
  afterAll(async () => f?.close());
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

  /** The Harvest row of a canonical time entry, through the layer's cross-reference. */
  async function sandboxRowOf(timeEntryId: string): Promise<number> {
    const native = await timeIds(store.db).native('time-entry', timeEntryId);
    return sandbox.ctx.state().entries.rowOf(native!)!;
  }

  it('reads approval the platform shows, approved in its own screens (the sandbox admin API here)', async () => {
    const [draft] = await all('approvalStatus=draft&limit=1');
    expect(draft, 'the seed has unapproved work').toBeDefined();
    const state = sandbox.ctx.state();
    const userId = state.users[state.entries.user[await sandboxRowOf(draft.id)]].id;
    for (const action of ['submit', 'approve']) {
      const res = await fetch(`${f.sandboxUrl}/_sandbox/timesheet-approvals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: userId, week_of: draft.workDate, action }),
      });
      expect(res.status, `${action} in the platform`).toBe(200);
    }
    expect((await call<TimeEntry>('GET', `/time-entries/${draft.id}`)).body.approvalStatus, 'read from is_closed').toBe('approved');
    const deprecated = await call<{ type: string }>('POST', '/timesheet-approvals', {
      body: { resourceId: draft.resourceId, weekOf: draft.workDate, action: 'approve' },
      headers: idem(),
    });
    expect(deprecated.status, 'the platform API has no approval call').toBe(422);
    expect(deprecated.body.type).toBe('/problems/business-rule-violation');
    expect((await call('GET', '/time-entries?approvalStatus=submitted')).status, 'submission is not reported').toBe(400);
  });

  it('bills in the ledger only, and refuses work invoiced in the platform by an invoice the layer does not know', async () => {
    const [first, second] = await all('approvalStatus=approved&billingStatus=unbilled&limit=2');
    const row = await sandboxRowOf(first.id);
    const before = sandbox.ctx.state().entries.updatedAt[row];
    const billed = await call<TimeEntry>('PATCH', `/time-entries/${first.id}`, {
      body: { billingStatus: 'billed', invoiceId: newId() },
      headers: idem(),
    });
    expect(billed.body.billingStatus, 'billed in the layer').toBe('billed');
    const t = sandbox.ctx.state().entries;
    expect(Boolean(t.flags[row] & FLAG.billed), 'nothing written to the platform').toBe(false);
    expect(t.updatedAt[row], 'the platform record is untouched').toBe(before);
    const nativeSecond = await timeIds(store.db).native('time-entry', second.id);
    const invoiced = await fetch(`${f.sandboxUrl}/_sandbox/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ time_entry_ids: [nativeSecond] }),
    });
    expect(invoiced.status).toBe(201);
    const read = (await call<TimeEntry>('GET', `/time-entries/${second.id}`)).body;
    expect(read.billingStatus, 'an invoice made in the platform bills it').toBe('billed');
    expect(read.invoiceId, 'on no invoice of the layer').toBeUndefined();
    const claim = await call('PATCH', `/time-entries/${second.id}`, {
      body: { billingStatus: 'billed', invoiceId: newId() },
      headers: idem(),
    });
    expect(claim.status, 'already billed by an invoice the layer does not know').toBe(409);
    const unbilled = await all('approvalStatus=approved&billingStatus=unbilled&limit=200');
    expect(
      unbilled.some((e) => e.id === first.id || e.id === second.id),
      'both leave the unbilled list',
    ).toBe(false);
    const billedList = await all('billingStatus=billed&limit=200');
    expect(
      billedList.filter((e) => e.id === first.id || e.id === second.id),
      'both are in the billed list',
    ).toHaveLength(2);
  });

  it('records many records billed on one invoice at once, all or nothing, without touching the platform', async () => {
    const entries = await all('approvalStatus=approved&billingStatus=unbilled&limit=200');
    const [a, b, c] = entries;
    const expenses = (await call<ExpensePage>('GET', '/expenses?billingStatus=unbilled&limit=200')).body.items;
    const invoiceId = newId();
    const lineId = newId();
    const records = [
      { kind: 'time-entry', id: a!.id, invoiceLineId: lineId },
      { kind: 'time-entry', id: b!.id, invoiceLineId: lineId },
      { kind: 'expense', id: expenses[0]!.id },
    ];
    const flagsBefore = Array.from(sandbox.ctx.state().entries.flags);
    const first = await call<{ recorded: number; alreadyRecorded: number }>('POST', '/billing-records', {
      body: { invoiceId, records },
      headers: idem(),
    });
    expect(first.status).toBe(200);
    expect(first.body, 'all three recorded').toMatchObject({ invoiceId, recorded: 3, alreadyRecorded: 0 });
    expect(Array.from(sandbox.ctx.state().entries.flags), 'nothing written to the platform').toEqual(flagsBefore);
    const again = await call<{ recorded: number; alreadyRecorded: number }>('POST', '/billing-records', {
      body: { invoiceId, records },
      headers: idem(),
    });
    expect(again.body, 'the same claims again change nothing').toMatchObject({ recorded: 0, alreadyRecorded: 3 });
    const clash = await call('POST', '/billing-records', {
      body: {
        invoiceId: newId(),
        records: [
          { kind: 'time-entry', id: c!.id },
          { kind: 'time-entry', id: a!.id },
        ],
      },
      headers: idem(),
    });
    expect(clash.status, 'one record on another invoice refuses the whole batch').toBe(409);
    expect((await call<TimeEntry>('GET', `/time-entries/${c!.id}`)).body.billingStatus, 'so the other stays unbilled').toBe('unbilled');
    expect((await call<TimeEntry>('GET', `/time-entries/${b!.id}`)).body).toMatchObject({
      billingStatus: 'billed',
      invoiceId,
      invoiceLineId: lineId,
    });
    const unknown = await call('POST', '/billing-records', {
      body: { invoiceId, records: [{ kind: 'expense', id: a!.id }] },
      headers: idem(),
    });
    expect(unknown.status, 'a time entry id is no expense').toBe(404);
    const twice = await call('POST', '/billing-records', {
      body: {
        invoiceId,
        records: [
          { kind: 'time-entry', id: c!.id },
          { kind: 'time-entry', id: c!.id },
        ],
      },
      headers: idem(),
    });
    expect(twice.status).toBe(400);
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
    const res = await fetch(`${f.sandboxUrl}/v2/time_entries`, {
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
