import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, SeededRandom } from '../kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN } from './index.js';
import { seedTime } from './seed.js';
import type { SandboxWeek } from './index.js';
import type { HarvestExpensesPage, HarvestPage, HarvestTimeEntriesPage, HarvestTimeEntry } from './vendor-types.js';

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

  it('takes per_page from 1 to Harvest’s 2,000 on every list and refuses more with 422, as Harvest does', async () => {
    for (const list of ['time_entries', 'expenses', 'clients', 'projects']) {
      for (const perPage of [1, 2000]) {
        const res = await call(`/v2/${list}?per_page=${perPage}`);
        expect(res.status, `${list} per_page=${perPage}`).toBe(200);
        const body = (await res.json()) as HarvestPage & Record<string, unknown[]>;
        expect(body.per_page, `${list} per_page=${perPage} is echoed`).toBe(perPage);
        expect(body[list]!.length, `${list} per_page=${perPage} bounds the page`).toBe(Math.min(perPage, body.total_entries));
      }
      for (const perPage of ['2001', '0', '-1', 'ten']) {
        const res = await call(`/v2/${list}?per_page=${perPage}`);
        expect(res.status, `${list} per_page=${perPage}`).toBe(422);
        expect(await res.json(), `${list} per_page=${perPage} answers Harvest's 422 body`).toEqual({ message: expect.any(String) });
      }
    }
  });

  it('filters unbilled entries updated since an instant, and ignores approval_status as Harvest does', async () => {
    const unbilled = (await (await call('/v2/time_entries?is_billed=false')).json()) as HarvestTimeEntriesPage;
    expect(unbilled.total_entries, 'some seeded entries are not invoiced').toBeGreaterThan(0);
    expect(
      unbilled.time_entries.every((e) => !e.is_billed),
      'is_billed=false keeps only uninvoiced entries',
    ).toBe(true);
    const withApproval = (await (await call('/v2/time_entries?is_billed=false&approval_status=approved')).json()) as HarvestTimeEntriesPage;
    expect(withApproval.total_entries, 'an undocumented filter changes nothing').toBe(unbilled.total_entries);
    expect(
      unbilled.time_entries.some((e) => !e.is_closed),
      'unapproved entries are listed too: approval is read from is_closed',
    ).toBe(true);
    expect(unbilled.time_entries[0], 'no approval_status field is served').not.toHaveProperty('approval_status');
    const later = (await (await call('/v2/time_entries?updated_since=2999-01-01T00:00:00Z')).json()) as HarvestTimeEntriesPage;
    expect(later.total_entries).toBe(0);
    expect((await call('/v2/time_entries?updated_since=soon')).status).toBe(422);
  });

  it('keeps is_billed read-only and refuses edits to locked entries', async () => {
    const list = (await (await call('/v2/time_entries?is_billed=false')).json()) as HarvestTimeEntriesPage;
    const entry = list.time_entries.find((e) => e.is_closed)!;
    const patched = await call(`/v2/time_entries/${entry.id}`, { method: 'PATCH', body: JSON.stringify({ is_billed: true }) });
    expect(patched.status, 'a body with nothing editable is accepted and ignored').toBe(200);
    const after = (await patched.json()) as HarvestTimeEntry;
    expect(after.is_billed, 'is_billed is not set through the API').toBe(false);
    expect(after.updated_at, 'nothing changed').toBe(entry.updated_at);
    const edit = await call(`/v2/time_entries/${entry.id}`, { method: 'PATCH', body: JSON.stringify({ hours: 1 }) });
    expect(edit.status).toBe(422);
    expect(await edit.json()).toEqual({ message: 'Time entry is locked and cannot be edited' });
    expect((await call('/v2/time_entries/1')).status).toBe(404);
  });

  it('has no timesheet approval endpoint; a week is approved and invoiced through /_sandbox', async () => {
    const probe = (await (await call('/v2/time_entries?per_page=1')).json()) as HarvestTimeEntriesPage;
    const { user, project, task } = probe.time_entries[0];
    const created = await call('/v2/time_entries', {
      method: 'POST',
      body: JSON.stringify({ user_id: user.id, project_id: project.id, task_id: task.id, spent_date: '2025-07-08', hours: 1.25 }),
    });
    expect(created.status).toBe(201);
    const entry = (await created.json()) as HarvestTimeEntry;
    expect(entry).toMatchObject({ hours: 1.25, is_locked: false, is_closed: false });
    const vendorPath = await call('/v2/timesheet_approvals', {
      method: 'POST',
      body: JSON.stringify({ user_id: user.id, week_of: '2025-07-10', action: 'approve' }),
    });
    expect(vendorPath.status, 'Harvest has no approval endpoint').toBe(404);
    const act = async (action: string) =>
      await fetch(`${running.url}/_sandbox/timesheet-approvals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: user.id, week_of: '2025-07-10', action }),
      });
    const submitted = (await (await act('submit')).json()) as SandboxWeek;
    expect(submitted).toMatchObject({
      week_start: '2025-07-07',
      week_end: '2025-07-13',
      approval_status: 'submitted',
      time_entry_ids: [entry.id],
    });
    expect(((await (await act('approve')).json()) as SandboxWeek).approval_status).toBe('approved');
    const after = (await (await call(`/v2/time_entries/${entry.id}`)).json()) as HarvestTimeEntry;
    expect(after).toMatchObject({ is_closed: true, is_locked: true, locked_reason: 'Item Approved and Locked for this Time Period' });
    expect((await act('dance')).status).toBe(400);

    // An administrator withdraws the approval: the week waits for approval again and unlocks for edits.
    expect(((await (await act('withdraw-approval')).json()) as SandboxWeek).approval_status).toBe('submitted');
    const withdrawn = (await (await call(`/v2/time_entries/${entry.id}`)).json()) as HarvestTimeEntry;
    expect(withdrawn).toMatchObject({ is_closed: false, is_locked: false });
    expect((await act('withdraw-approval')).status, 'nothing approved is left to withdraw').toBe(200);
    expect(((await (await act('approve')).json()) as SandboxWeek).approval_status).toBe('approved');

    const invoiced = await fetch(`${running.url}/_sandbox/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ time_entry_ids: [entry.id] }),
    });
    expect(invoiced.status).toBe(201);
    const billed = (await (await call(`/v2/time_entries/${entry.id}`)).json()) as HarvestTimeEntry;
    expect(billed, 'an invoice made in Harvest sets is_billed').toMatchObject({
      is_billed: true,
      locked_reason: 'Item Invoiced and Approved and Locked for this Time Period',
    });
  });

  it('pages clients and projects by cursor, with page numbers only on the first and last pages', async () => {
    const first = (await (await call('/v2/projects?per_page=1')).json()) as HarvestPage & { projects: Array<{ id: number }> };
    expect(first.total_entries, 'the small seed has three projects').toBe(3);
    expect(first).toMatchObject({ page: 1, next_page: 2, previous_page: null, total_pages: 3 });
    const next = new URL(first.links.next!);
    expect(next.searchParams.get('cursor'), 'the next link carries a cursor').toBeTruthy();
    expect(next.searchParams.has('page')).toBe(false);
    const middle = (await (await call(`${next.pathname}${next.search}`)).json()) as HarvestPage & { projects: Array<{ id: number }> };
    expect(middle, 'a middle page has no page numbers').toMatchObject({ page: null, next_page: null, previous_page: null });
    const lastUrl = new URL(middle.links.next!);
    const last = (await (await call(`${lastUrl.pathname}${lastUrl.search}`)).json()) as HarvestPage & { projects: Array<{ id: number }> };
    expect(last).toMatchObject({ page: 3, next_page: null, previous_page: 2 });
    expect(last.links.next).toBeNull();
    const seen = [...first.projects, ...middle.projects, ...last.projects].map((p) => p.id);
    expect(new Set(seen).size, 'every project once').toBe(3);
    expect((await call('/v2/projects?cursor=bm9wZQ')).status).toBe(422);
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
    // Harvest counts requests, not records: a page of 2,000 costs what a page of 1 does.
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${running.url}/v2/${i % 2 ? 'time_entries' : 'expenses'}?per_page=${i % 2 ? 2000 : 1}`, { headers });
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
      let next: string | null = `${running.url}/v2/time_entries?is_billed=false&per_page=2000`;
      let seen = 0;
      const pagingStarted = performance.now();
      while (next !== null) {
        const body = (await (await fetch(next, { headers })).json()) as HarvestTimeEntriesPage;
        seen += body.time_entries.length;
        next = body.links.next;
        if (next === null) expect(seen, 'following links.next reaches every entry once').toBe(body.total_entries);
      }
      expect(seen).toBeGreaterThan(1000);
      console.info(
        `[time sandbox] large seed ${seedMs.toFixed(0)} ms; paged ${seen} unbilled entries in ${(performance.now() - pagingStarted).toFixed(0)} ms`,
      );
    } finally {
      await running.close();
    }
  });
});
