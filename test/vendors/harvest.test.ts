// Harvest conformance: harvest-v2 3.0.0, a Node client for Harvest API v2, drives the time
// sandbox over real HTTP through the calls the layer relies on: time entries listed with filters
// and paged, one entry read, created and edited, expenses, clients and projects. The client's
// resources are fixed to api.harvestapp.com, so each one's base URI is pointed at the sandbox.
// It sends Harvest-Account-ID, a bearer token, a User-Agent and a JSON content type itself.
import Harvest from 'harvest-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import type { HarvestPage as Page } from '../../sandboxes/time/vendor-types.js';

interface Entry {
  id: number;
  spent_date: string;
  hours: number;
  is_closed: boolean;
  is_locked: boolean;
  is_billed: boolean;
  billable: boolean;
  updated_at: string;
  user: { id: number };
  project: { id: number };
  task: { id: number };
}
type EntriesPage = Page & { time_entries: Entry[] };

let sandbox: SandboxApp<TimeState>;
let running: RunningSandbox;
let harvest: Harvest;

beforeAll(async () => {
  sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 10_000, windowSeconds: 15 } }));
  running = await listen(sandbox.app);
});
afterAll(() => running.close());
beforeEach(() => {
  sandbox.reset('small');
  harvest = new Harvest({
    account_ID: TIME_SANDBOX_ACCOUNT_ID,
    access_token: TIME_SANDBOX_TOKEN,
    user_agent: 'ps-layer conformance (ops@example.com)',
  });
  for (const name of ['timeEntries', 'expenses', 'projects', 'clients', 'users'] as const) {
    harvest[name].baseUri = harvest[name].baseUri.replace('https://api.harvestapp.com', running.url);
  }
});

describe('harvest-v2 against the time sandbox: time entries', () => {
  it('lists with filters and pages by page number, each page linking to the next', async () => {
    const all = (await harvest.timeEntries.listBy({ is_billed: false })) as EntriesPage;
    expect(all.total_entries, 'the seed has uninvoiced entries').toBeGreaterThan(4);
    expect(
      all.time_entries.every((e) => !e.is_billed),
      'is_billed=false keeps only uninvoiced entries',
    ).toBe(true);
    const seen: number[] = [];
    let page = (await harvest.timeEntries.listBy({ is_billed: false, per_page: 4, page: 1 })) as EntriesPage;
    for (;;) {
      seen.push(...page.time_entries.map((e) => e.id));
      if (page.next_page === null) {
        expect(page.links.next, 'the last page links nowhere').toBeNull();
        break;
      }
      const next = new URL(page.links.next!);
      expect(next.searchParams.get('is_billed'), 'the next link keeps the filter').toBe('false');
      expect(next.searchParams.get('page'), 'and names the page the client asks for').toBe(String(page.next_page));
      page = (await harvest.timeEntries.listBy({ is_billed: false, per_page: 4, page: page.next_page })) as EntriesPage;
    }
    expect(seen, 'paging reaches what one large page holds, in order').toEqual(all.time_entries.map((e) => e.id));
  });

  it('filters by project, user and work dates', async () => {
    const [first] = ((await harvest.timeEntries.listBy({ per_page: 1 })) as EntriesPage).time_entries;
    const byProject = (await harvest.timeEntries.listBy({ project_id: first!.project.id })) as EntriesPage;
    expect(byProject.time_entries.every((e) => e.project.id === first!.project.id)).toBe(true);
    const byUserAndDay = (await harvest.timeEntries.listBy({
      user_id: first!.user.id,
      from: first!.spent_date,
      to: first!.spent_date,
    })) as EntriesPage;
    expect(byUserAndDay.time_entries.map((e) => e.id)).toContain(first!.id);
    expect(byUserAndDay.time_entries.every((e) => e.user.id === first!.user.id && e.spent_date === first!.spent_date)).toBe(true);
  });

  it('reads one entry, creates one and edits it; is_billed does not change through the API', async () => {
    const [listed] = ((await harvest.timeEntries.listBy({ per_page: 1 })) as EntriesPage).time_entries;
    expect(await harvest.timeEntries.retrieve(listed!.id), 'one entry as the list shows it').toEqual(listed);
    expect(await harvest.timeEntries.retrieve(1), 'an unknown id').toEqual({ status: 404, error: 'Not Found' });
    const created = (await harvest.timeEntries.create({
      project_id: listed!.project.id,
      task_id: listed!.task.id,
      user_id: listed!.user.id,
      spent_date: '2025-07-08',
      hours: 1.5,
    })) as Entry;
    expect(created).toMatchObject({ hours: 1.5, is_closed: false, is_locked: false, is_billed: false });
    const edited = (await harvest.timeEntries.update(created.id, { hours: 2, is_billed: true })) as Entry;
    expect(edited.hours, 'hours are editable').toBe(2);
    expect(edited.is_billed, 'is_billed is read-only').toBe(false);
  });

  it('has no approval endpoint and shows approval only as is_closed', async () => {
    const entries = ((await harvest.timeEntries.list()) as EntriesPage).time_entries;
    expect(entries.some((e) => e.is_closed) && entries.some((e) => !e.is_closed), 'both approved and unapproved work').toBe(true);
    for (const e of entries) expect(e, 'no approval_status field').not.toHaveProperty('approval_status');
    const approvals = await fetch(`${running.url}/v2/timesheet_approvals`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TIME_SANDBOX_TOKEN}`,
        'harvest-account-id': TIME_SANDBOX_ACCOUNT_ID,
        'user-agent': 'ps-layer conformance (ops@example.com)',
      },
    });
    expect(approvals.status).toBe(404);
  });
});

describe('harvest-v2 against the time sandbox: expenses, clients and projects', () => {
  it('lists and reads expenses', async () => {
    const page = (await harvest.expenses.listBy({ is_billed: false })) as Page & { expenses: Array<{ id: number; total_cost: number }> };
    expect(page.total_entries).toBeGreaterThan(0);
    const [first] = page.expenses;
    expect(await harvest.expenses.retrieve(first!.id)).toMatchObject({ id: first!.id, total_cost: first!.total_cost });
  });

  it('lists clients and projects, whose next links carry a cursor, and reads a project', async () => {
    const clients = (await harvest.clients.list()) as Page & { clients: Array<{ id: number; currency: string }> };
    expect(clients.clients.length).toBe(clients.total_entries);
    const projects = (await harvest.projects.listBy({ per_page: 1 })) as Page & { projects: Array<{ id: number; client: { id: number } }> };
    expect(projects).toMatchObject({ page: 1, next_page: 2 });
    expect(new URL(projects.links.next!).searchParams.get('cursor'), 'the next link carries a cursor').toBeTruthy();
    const second = (await harvest.projects.listBy({ per_page: 1, page: 2 })) as typeof projects;
    expect(second.projects[0]!.id, 'page numbers still work').not.toBe(projects.projects[0]!.id);
    const project = projects.projects[0]!;
    expect(await harvest.projects.retrieve(project.id)).toMatchObject({ id: project.id, client: { id: project.client.id } });
    const byClient = (await harvest.projects.listBy({ client_id: project.client.id })) as typeof projects;
    expect(byClient.projects.every((p) => p.client.id === project.client.id)).toBe(true);
  });

  it('is refused without the account header the client sends', async () => {
    const stranger = new Harvest({ account_ID: '999', access_token: TIME_SANDBOX_TOKEN, user_agent: 'x (a@b.c)' });
    stranger.timeEntries.baseUri = `${running.url}/v2/time_entries`;
    expect(await stranger.timeEntries.list()).toMatchObject({ error: 'forbidden' });
  });
});
