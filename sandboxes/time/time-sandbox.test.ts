import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, SeededRandom } from '../kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from './index.js';
import { seedTime } from './seed.js';
import type { HarvestTimeEntriesPage, HarvestTimeEntry, HarvestTimesheetApproval, HarvestExpensesPage } from './vendor-types.js';

const headers = {
  authorization: `Bearer ${TIME_SANDBOX_TOKEN}`,
  'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID,
  'user-agent': 'ps-layer tests (ops@example.com)',
  'content-type': 'application/json',
};

describe('time sandbox (Harvest v2 shape)', () => {
  const sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 1000, windowSeconds: 15 } }));
  let running: RunningSandbox;
  beforeAll(async () => void (running = await listen(sandbox.app)));
  afterAll(async () => running.close());
  const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${running.url}${path}`, { ...init, headers: { ...headers, ...(init.headers ?? {}) } });

  it('requires a token, the account id and a User-Agent, answering in Harvest’s shapes', async () => {
    const noToken = await fetch(`${running.url}/v2/time_entries`, {
      headers: { 'user-agent': 'x (a@b.c)', 'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID },
    });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: 'invalid_token' });
    const noAccount = await fetch(`${running.url}/v2/time_entries`, {
      headers: { authorization: headers.authorization, 'user-agent': 'x (a@b.c)' },
    });
    expect(noAccount.status).toBe(403);
    expect(await noAccount.json()).toMatchObject({ error: 'forbidden' });
    const wrongAccount = await call('/v2/time_entries', { headers: { 'harvest-account-id': '999' } });
    expect(wrongAccount.status).toBe(403);
    const noAgent = await fetch(`${running.url}/v2/time_entries`, {
      headers: { authorization: headers.authorization, 'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID, 'user-agent': '' },
    });
    expect(noAgent.status).toBe(400);
  });

  it('pages time entries with Harvest’s envelope and links', async () => {
    const res = await call('/v2/time_entries?per_page=10&page=2');
    const page = (await res.json()) as HarvestTimeEntriesPage;
    expect(page).toMatchObject({ per_page: 10, page: 2, total_entries: 42, total_pages: 5, next_page: 3, previous_page: 1 });
    expect(page.time_entries).toHaveLength(10);
    expect(new URL(page.links.next ?? '').searchParams.get('page')).toBe('3');
    const dates = page.time_entries.map((e) => e.spent_date);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(page.time_entries[0]).toMatchObject({
      user: { id: expect.any(Number), name: expect.any(String) },
      project: { code: expect.any(String) },
      client: { currency: expect.any(String) },
    });
    expect((await call('/v2/time_entries?per_page=5000')).status).toBe(422);
  });

  it('filters approved, unbilled entries updated since an instant', async () => {
    const all = (await (await call('/v2/time_entries?approval_status=approved&is_billed=false')).json()) as HarvestTimeEntriesPage;
    expect(all.total_entries).toBeGreaterThan(0);
    expect(all.time_entries.every((e) => e.approval_status === 'approved' && !e.is_billed && e.is_locked)).toBe(true);
    const later = (await (await call('/v2/time_entries?updated_since=2999-01-01T00:00:00Z')).json()) as HarvestTimeEntriesPage;
    expect(later.total_entries).toBe(0);
    expect((await call('/v2/time_entries?updated_since=soon')).status).toBe(422);
  });

  it('marks an entry billed idempotently and refuses edits to locked entries', async () => {
    const list = (await (
      await call('/v2/time_entries?approval_status=approved&is_billed=false&per_page=1')
    ).json()) as HarvestTimeEntriesPage;
    const entry = list.time_entries[0];
    const first = (await (
      await call(`/v2/time_entries/${entry.id}`, { method: 'PATCH', body: JSON.stringify({ is_billed: true }) })
    ).json()) as HarvestTimeEntry;
    expect(first.is_billed).toBe(true);
    const second = (await (
      await call(`/v2/time_entries/${entry.id}`, { method: 'PATCH', body: JSON.stringify({ is_billed: true }) })
    ).json()) as HarvestTimeEntry;
    expect(second.updated_at).toBe(first.updated_at);
    const edit = await call(`/v2/time_entries/${entry.id}`, { method: 'PATCH', body: JSON.stringify({ hours: 1 }) });
    expect(edit.status).toBe(422);
    expect(await edit.json()).toEqual({ message: 'Time entry is locked and cannot be edited' });
    expect((await call('/v2/time_entries/1')).status).toBe(404);
  });

  it('creates an entry, submits and approves its week', async () => {
    const probe = (await (await call('/v2/time_entries?per_page=1')).json()) as HarvestTimeEntriesPage;
    const { user, project, task } = probe.time_entries[0];
    const created = await call('/v2/time_entries', {
      method: 'POST',
      body: JSON.stringify({ user_id: user.id, project_id: project.id, task_id: task.id, spent_date: '2025-07-08', hours: 1.25 }),
    });
    expect(created.status).toBe(201);
    const entry = (await created.json()) as HarvestTimeEntry;
    expect(entry).toMatchObject({ approval_status: 'unsubmitted', hours: 1.25, is_locked: false });
    const act = async (action: string) =>
      await call('/v2/timesheet_approvals', { method: 'POST', body: JSON.stringify({ user_id: user.id, week_of: '2025-07-10', action }) });
    const submitted = (await (await act('submit')).json()) as HarvestTimesheetApproval;
    expect(submitted).toMatchObject({
      week_start: '2025-07-07',
      week_end: '2025-07-13',
      approval_status: 'submitted',
      time_entry_ids: [entry.id],
    });
    const approved = (await (await act('approve')).json()) as HarvestTimesheetApproval;
    expect(approved.approval_status).toBe('approved');
    const after = (await (await call(`/v2/time_entries/${entry.id}`)).json()) as HarvestTimeEntry;
    expect(after).toMatchObject({ approval_status: 'approved', is_closed: true, is_locked: true });
    expect((await act('dance')).status).toBe(422);
  });

  it('lists expenses in the same envelope', async () => {
    const page = (await (await call('/v2/expenses')).json()) as HarvestExpensesPage;
    expect(page.total_entries).toBe(4);
    expect(page.expenses[0]).toMatchObject({ expense_category: { name: expect.any(String) }, total_cost: expect.any(Number) });
  });

  it('seeds deterministically', () => {
    const a = seedTime('small', new SeededRandom(7));
    const b = seedTime('small', new SeededRandom(7));
    expect(Array.from(a.entries.hours.subarray(0, a.entries.size))).toEqual(Array.from(b.entries.hours.subarray(0, b.entries.size)));
  });
});

describe('time sandbox, listing by project', () => {
  const sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 1000, windowSeconds: 15 } }));
  let running: RunningSandbox;
  beforeAll(async () => void (running = await listen(sandbox.app)));
  afterAll(async () => running.close());
  const call = (path: string, init: RequestInit = {}) => fetch(`${running.url}${path}`, { ...init, headers });
  const ids = async (query: string) =>
    ((await (await call(`/v2/time_entries?per_page=2000${query}`)).json()) as HarvestTimeEntriesPage).time_entries;

  /** A project's listing is the whole listing's entries of that project, in the same order. */
  async function expectProjectListing(projectId: number): Promise<number[]> {
    const all = await ids('');
    const own = await ids(`&project_id=${projectId}`);
    const expected = all.filter((e) => e.project.id === projectId).map((e) => e.id);
    expect(own.map((e) => e.id)).toEqual(expected);
    return expected;
  }

  it('lists a project’s entries in listing order, through new entries, moves between projects and date changes', async () => {
    const all = await ids('');
    const projects = [...new Set(all.map((e) => e.project.id))];
    expect(projects.length).toBeGreaterThan(1);
    const [p, q] = projects as [number, number];
    const { user, task } = all[0]!;
    for (const project of projects) expect((await expectProjectListing(project)).length).toBeGreaterThan(0);

    const created = (await (
      await call('/v2/time_entries', {
        method: 'POST',
        body: JSON.stringify({ user_id: user.id, project_id: p, task_id: task.id, spent_date: '2025-07-09', hours: 2 }),
      })
    ).json()) as HarvestTimeEntry;
    expect(await expectProjectListing(p)).toContain(created.id);

    const moved = await call(`/v2/time_entries/${created.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ project_id: q, spent_date: '2024-01-02' }),
    });
    expect(moved.status).toBe(200);
    expect(await expectProjectListing(p)).not.toContain(created.id);
    const inQ = await expectProjectListing(q);
    expect(inQ[inQ.length - 1]).toBe(created.id); // the oldest date lists last

    await call(`/v2/time_entries/${created.id}`, { method: 'PATCH', body: JSON.stringify({ spent_date: '2099-12-31' }) });
    expect((await expectProjectListing(q))[0]).toBe(created.id);
    expect((await call(`/v2/time_entries/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await expectProjectListing(q)).not.toContain(created.id);
  });
});

describe('time sandbox rate limit', () => {
  const sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 5, windowSeconds: 15 } }));
  let running: RunningSandbox;
  beforeAll(async () => void (running = await listen(sandbox.app)));
  afterAll(async () => running.close());

  it('answers 429 with Retry-After past its request rate', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${running.url}/v2/expenses?per_page=1`, { headers });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(15);
  });
});

describe('time sandbox, large seed', () => {
  it('holds 200,000 entries and pages them from cached query results', async () => {
    const started = performance.now();
    const sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 10_000, windowSeconds: 15 } }), { seed: 'large' });
    const seedMs = performance.now() - started;
    const running = await listen(sandbox.app);
    try {
      expect(sandbox.ctx.state().entries.size).toBe(200_000);
      expect(sandbox.ctx.state().users).toHaveLength(300);
      let page: number | null = 1;
      let seen = 0;
      const pagingStarted = performance.now();
      while (page !== null) {
        const body = (await (
          await fetch(`${running.url}/v2/time_entries?approval_status=approved&is_billed=false&per_page=2000&page=${page}`, { headers })
        ).json()) as HarvestTimeEntriesPage;
        seen += body.time_entries.length;
        page = body.next_page;
        if (page === null) expect(seen).toBe(body.total_entries);
      }
      expect(seen).toBeGreaterThan(1000);
      console.info(
        `[time sandbox] large seed ${seedMs.toFixed(0)} ms; paged ${seen} approved unbilled entries in ${(performance.now() - pagingStarted).toFixed(0)} ms`,
      );
    } finally {
      await running.close();
    }
  });
});
