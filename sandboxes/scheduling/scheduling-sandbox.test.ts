import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxApp, listen, type RunningSandbox, SeededRandom } from '../kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN } from './index.js';
import { seedScheduling } from './seed.js';

const auth = { authorization: `Bearer ${SCHEDULING_SANDBOX_TOKEN}`, 'content-type': 'application/json' };

describe('scheduling sandbox (Float v3 shape)', () => {
  // Webhooks on: this sandbox stands in for a firm's relay as well as for Float.
  const sandbox = createSandboxApp(createSchedulingSandbox({ rateLimit: { reads: 50, writes: 50, windowSeconds: 60 }, webhooks: true }));
  let running: RunningSandbox;
  let hook: Server;
  let hookUrl = '';
  const received: Array<{ headers: Record<string, unknown>; body: { event: string; data: { task_id: number } } }> = [];

  beforeAll(async () => {
    running = await listen(sandbox.app);
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await running.close();
    await new Promise((r) => hook.close(r));
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });

  it('refuses a missing or wrong token with Float’s 401 body', async () => {
    const res = await fetch(`${running.url}/v3/people`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      name: 'Unauthorized',
      message: 'Your request was made with invalid credentials.',
      code: 0,
      status: 401,
    });
  });

  it('pages people with X-Pagination-* headers and rate-limit headers', async () => {
    const res = await call('/v3/people?page=2&per-page=4');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-pagination-total-count')).toBe('6');
    expect(res.headers.get('x-pagination-page-count')).toBe('2');
    expect(res.headers.get('x-pagination-current-page')).toBe('2');
    expect(res.headers.get('x-pagination-per-page')).toBe('4');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(50);
    const people = (await res.json()) as Array<{ people_id: number; work_days_hours: number[] }>;
    expect(people).toHaveLength(2);
    expect(people[0].work_days_hours).toHaveLength(7);
    expect((await call('/v3/people?per-page=500')).status).toBe(400);
  });

  it('creates, updates and deletes allocations, sending signed webhooks for each', async () => {
    await fetch(`${running.url}/_sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: hookUrl }),
    });
    const people = (await (await call('/v3/people')).json()) as Array<{ people_id: number }>;
    const projects = (await (await call('/v3/projects')).json()) as Array<{ project_id: number }>;
    const created = await call('/v3/tasks', {
      method: 'POST',
      body: JSON.stringify({
        people_id: people[0].people_id,
        project_id: projects[0].project_id,
        start_date: '2025-06-02',
        end_date: '2025-06-13',
        hours: 7.5,
        status: 1,
      }),
    });
    expect(created.status, 'a create answers 201').toBe(201);
    const task = (await created.json()) as { task_id: number; hours: number; status: number };
    expect(created.headers.get('location'), 'with the new allocation’s URL').toBe(`${running.url}/v3/tasks/${task.task_id}`);
    expect(task).toMatchObject({ hours: 7.5, status: 1 });
    const patched = await call(`/v3/tasks/${task.task_id}`, { method: 'PATCH', body: JSON.stringify({ status: 2 }) });
    expect(((await patched.json()) as { status: number }).status).toBe(2);
    expect((await call(`/v3/tasks/${task.task_id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v3/tasks/${task.task_id}`)).status).toBe(404);
    await sandbox.ctx.webhooks.drain();
    const events = received.filter((r) => r.body.data.task_id === task.task_id).map((r) => r.body.event);
    expect(events).toEqual(['task.created', 'task.updated', 'task.deleted']);
    expect(received[0].headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('answers invalid input with Float’s 422 field list', async () => {
    const res = await call('/v3/tasks', {
      method: 'POST',
      body: JSON.stringify({ people_id: 1, project_id: 2, start_date: '2025-06-13', end_date: '2025-06-02', hours: 30 }),
    });
    expect(res.status).toBe(422);
    const errors = (await res.json()) as Array<{ field: string }>;
    expect(errors.map((e) => e.field).sort()).toEqual(['end_date', 'hours', 'people_id', 'project_id']);
  });

  it('filters allocations by person and date window', async () => {
    const people = (await (await call('/v3/people')).json()) as Array<{ people_id: number }>;
    const res = await call(`/v3/tasks?people_id=${people[1].people_id}&start_date=2024-01-01&end_date=2030-01-01`);
    const tasks = (await res.json()) as Array<{ people_id: number }>;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.people_id === people[1].people_id)).toBe(true);
  });

  it('answers 429 with Retry-After once the request budget is spent', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 60; i++) {
      last = await call('/v3/projects?per-page=1');
      if (last.status === 429) break;
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last?.json()).toMatchObject({ status: 429, name: 'Too Many Requests' });
  });

  it('filters lists by modified_since (Float’s "YYYY-MM-DD HH:MM:SS", or a date) and refuses a malformed one', async () => {
    const fresh = await listen(createSandboxApp(createSchedulingSandbox()).app);
    try {
      const get = (path: string) => fetch(`${fresh.url}${path}`, { headers: auth });
      const all = (await (await get('/v3/tasks')).json()) as Array<{ task_id: number; modified: string }>;
      const newest = all
        .map((t) => t.modified)
        .sort()
        .at(-1)!;
      const since = (await (await get(`/v3/tasks?modified_since=${encodeURIComponent(newest)}`)).json()) as Array<{ modified: string }>;
      expect(since.length, 'only allocations modified at or after the watermark').toBe(all.filter((t) => t.modified >= newest).length);
      expect(
        since.every((t) => t.modified >= newest),
        'none older',
      ).toBe(true);
      expect(((await (await get('/v3/people?modified_since=2999-01-01')).json()) as unknown[]).length, 'nobody after 2999').toBe(0);
      expect(((await (await get('/v3/projects?modified_since=2000-01-01')).json()) as unknown[]).length, 'every project').toBe(3);
      expect((await get('/v3/tasks?modified_since=yesterday')).status, 'a malformed watermark is a 400').toBe(400);
    } finally {
      await fresh.close();
    }
  });
});

describe('scheduling sandbox as Float: budgets and events', () => {
  let running: RunningSandbox;
  const sandbox = createSandboxApp(createSchedulingSandbox());
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${running.url}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  beforeAll(async () => {
    running = await listen(sandbox.app);
  });
  afterAll(async () => {
    await running.close();
  });

  it('counts 100 writes a minute apart from 200 reads: the 101st PATCH is refused while GETs still pass', async () => {
    const [task] = (await (await call('/v3/tasks?per-page=1')).json()) as Array<{ task_id: number; hours: number }>;
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 101; i++) {
      const res = await call(`/v3/tasks/${task!.task_id}`, { method: 'PATCH', body: JSON.stringify({ hours: task!.hours }) });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else await res.arrayBuffer();
    }
    expect(
      statuses.slice(0, 100).every((s) => s === 200),
      'the first hundred writes pass',
    ).toBe(true);
    expect(statuses[100], 'the 101st write in the minute is refused').toBe(429);
    expect(Number(refused?.headers.get('retry-after')), 'with Retry-After in seconds').toBeGreaterThan(0);
    expect(refused?.headers.get('x-ratelimit-limit'), 'the write budget’s size').toBe('100');
    expect(refused?.headers.get('x-ratelimit-remaining'), 'nothing left').toBe('0');
    const read = await call('/v3/people?per-page=1');
    expect(read.status, 'reads have a budget of their own').toBe(200);
    expect(read.headers.get('x-ratelimit-limit'), 'the read budget’s size').toBe('200');
    expect(Number(read.headers.get('x-ratelimit-remaining')), 'two reads spent').toBe(198);
  });

  it('sends no webhooks unless switched on, as Float publishes none', async () => {
    const sent: string[] = [];
    const original = sandbox.ctx.webhooks.send.bind(sandbox.ctx.webhooks);
    sandbox.ctx.webhooks.send = (type, payload) => {
      sent.push(type);
      return original(type, payload);
    };
    sandbox.ctx.state().rateWindows.write = { startedAt: 0, used: 0 };
    const people = (await (await call('/v3/people')).json()) as Array<{ people_id: number }>;
    const projects = (await (await call('/v3/projects')).json()) as Array<{ project_id: number }>;
    const created = await call('/v3/tasks', {
      method: 'POST',
      body: JSON.stringify({
        people_id: people[0]!.people_id,
        project_id: projects[0]!.project_id,
        start_date: '2025-06-02',
        end_date: '2025-06-06',
        hours: 4,
      }),
    });
    expect(created.status, 'the allocation is created').toBe(201);
    const { task_id } = (await created.json()) as { task_id: number };
    expect((await call(`/v3/tasks/${task_id}`, { method: 'DELETE' })).status, 'and deleted').toBe(204);
    expect(sent, 'no task webhook was sent').toEqual([]);
  });

  it('seeds deterministically, large with 300 consultants', () => {
    const a = seedScheduling('small', new SeededRandom(1));
    const b = seedScheduling('small', new SeededRandom(1));
    expect([...a.tasks.values()]).toEqual([...b.tasks.values()]);
    const large = seedScheduling('large', new SeededRandom(1));
    expect(large.people.size).toBe(300);
    expect(large.projects.size).toBe(2000);
  });
});
