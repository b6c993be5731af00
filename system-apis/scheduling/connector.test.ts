// The Float-shaped connector against the scheduling sandbox over real HTTP, including the
// faults a real account produces, and the API token never in an error or a log line.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createSchedulingSandbox, SCHEDULING_SANDBOX_TOKEN, type SchedulingState } from '../../sandboxes/scheduling/index.js';
import { capturingLogger, problemOf } from '../../test/support/platform-client.js';
import { SchedulingConnector, type SchedulingConnectorOptions } from './connector.js';

let sandbox: SandboxApp<SchedulingState>;
let running: RunningSandbox;
const connectors: SchedulingConnector[] = [];

function connector(overrides: Partial<SchedulingConnectorOptions> = {}): SchedulingConnector {
  const c = new SchedulingConnector({
    baseUrl: running.url,
    apiToken: SCHEDULING_SANDBOX_TOKEN,
    timeoutMs: 1_000,
    backoff: { baseMs: 5, capMs: 20 },
    breaker: { consecutiveFailures: 50 },
    ...overrides,
  });
  connectors.push(c);
  return c;
}

beforeAll(async () => {
  sandbox = createSandboxApp(createSchedulingSandbox({ rateLimit: { reads: 10_000, writes: 10_000, windowSeconds: 60 } }));
  running = await listen(sandbox.app);
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await running.close();
});
beforeEach(() => {
  sandbox.reset('small');
  sandbox.ctx.faults.clear();
});

describe('scheduling connector: records and paging', () => {
  it('reads every page of people from the X-Pagination headers', async () => {
    sandbox.reset('large');
    const float = connector();
    const page = await float.listPeople(2, 50);
    expect(page).toMatchObject({ page: 2, pageCount: 6, totalCount: 300 });
    const all = await float.allPeople();
    expect(all).toHaveLength(300);
    expect(new Set(all.map((p) => p.people_id)).size).toBe(300);
  });

  it('creates, reads, updates and deletes allocations; a missing one reads as undefined', async () => {
    const float = connector();
    const [person] = (await float.listPeople()).items;
    const [project] = (await float.listProjects()).items;
    const task = await float.createTask({
      people_id: person.people_id,
      project_id: project.project_id,
      start_date: '2025-06-02',
      end_date: '2025-06-06',
      hours: 4,
      status: 1,
    });
    expect((await float.getTask(task.task_id))?.hours).toBe(4);
    expect((await float.updateTask(task.task_id, { status: 2 })).status).toBe(2);
    await float.deleteTask(task.task_id);
    await float.deleteTask(task.task_id); // already gone: still fine
    expect(await float.getTask(task.task_id)).toBeUndefined();
    const filtered = await float.listTasks(1, 200, { peopleId: person.people_id });
    expect(filtered.items.every((t) => t.people_id === person.people_id)).toBe(true);
  });

  it('maps Float 422 field errors to problem details with pointers', async () => {
    const float = connector();
    const problem = await problemOf(
      float.createTask({ people_id: 1, project_id: 1, start_date: '2025-06-02', end_date: '2025-06-06', hours: 4 }),
    );
    expect(problem.status).toBe(422);
    expect(problem.errors?.map((e) => e.pointer).sort()).toEqual(['/people_id', '/project_id']);
    expect(problem.extensions).toMatchObject({ platform: 'scheduling', upstreamStatus: 422 });
  });
});

describe('scheduling connector: unsafe consumption and resilience', () => {
  const vendor = { paths: '/v3' };

  it('retries a GET on 5xx and gives 502 after the last attempt; never retries a create', async () => {
    const calls: number[] = [];
    const float = connector({ onCall: (_p, _m, status) => void calls.push(status) });
    sandbox.ctx.faults.set({ ...vendor, errorRate: 1, errorStatus: 500 });
    const read = await problemOf(float.listPeople());
    expect(read.status).toBe(502);
    expect(read.extensions.platform).toBe('scheduling');
    expect(calls).toEqual([500, 500, 500]);
    calls.length = 0;
    const create = await problemOf(float.createProject({ name: 'X' }));
    expect(create.status).toBe(502);
    expect(calls).toEqual([500]);
  });

  it('learns a smaller budget from the platform’s X-RateLimit-* headers and waits for its window instead of failing', async () => {
    const limited = createSandboxApp(createSchedulingSandbox({ rateLimit: { reads: 2, writes: 2, windowSeconds: 1 } }));
    const server = await listen(limited.app);
    try {
      const float = connector({ baseUrl: server.url });
      for (let i = 0; i < 4; i++) expect((await float.listProjects()).items.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('paces a burst of writes on the write budget: no 429, while reads keep their own budget', { timeout: 30_000 }, async () => {
    // Float's 100 writes a minute, scaled to 10 writes in 2 s so that the burst takes seconds.
    const limited = createSandboxApp(createSchedulingSandbox({ rateLimit: { reads: 20, writes: 10, windowSeconds: 2 } }));
    const server = await listen(limited.app);
    try {
      const statuses: Array<[string, number]> = [];
      const float = connector({
        baseUrl: server.url,
        rateLimits: { reads: 20, writes: 10, windowMs: 2_000 },
        onCall: (_platform, method, status) => statuses.push([method, status]),
      });
      const [task] = (await float.listTasks(1, 1)).items;
      const writes = await Promise.all(Array.from({ length: 25 }, (_, i) => float.updateTask(task!.task_id, { hours: 1 + (i % 4) })));
      expect(writes, 'every write of the burst landed').toHaveLength(25);
      expect(
        statuses.filter(([, status]) => status === 429),
        'the connector never ran into the platform’s limit',
      ).toEqual([]);
      expect(
        statuses.filter(([method]) => method === 'PATCH'),
        'one attempt per write',
      ).toHaveLength(25);
      const budget = float.rateBudget();
      expect(budget.write.limit, 'the write budget as the platform states it').toBe(10);
      expect(budget.read.remaining, 'reads spent nothing of the write budget').toBeGreaterThan(budget.write.remaining);
    } finally {
      await server.close();
    }
  });

  it('honours an injected 429 burst with Retry-After', async () => {
    const float = connector();
    sandbox.ctx.faults.set({ ...vendor, rateLimitBurst: { remaining: 0, retryAfterSeconds: 1 } });
    expect((await float.listPeople()).items.length).toBe(6);
  });

  it('gives 503 with Retry-After during an outage longer than it will wait', async () => {
    const float = connector({ maxRetryAfterMs: 100 });
    sandbox.ctx.faults.set({ ...vendor, outageUntil: new Date(Date.now() + 60_000).toISOString() });
    const problem = await problemOf(float.listPeople());
    expect(problem.status).toBe(503);
    expect(Number(problem.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('turns malformed, redirecting and oversized answers into 502, slow and hanging ones into 504', async () => {
    const float = connector({ maxAttempts: 1, maxResponseBytes: 256 * 1024 });
    sandbox.ctx.faults.set({ ...vendor, malformedRate: 1 });
    expect((await problemOf(float.listPeople())).status).toBe(502);
    sandbox.ctx.faults.set({ malformedRate: 0, redirectRate: 1 });
    expect((await problemOf(float.listPeople())).status).toBe(502);
    sandbox.ctx.faults.set({ redirectRate: 0, oversizedRate: 1, oversizedBytes: 1024 * 1024 });
    expect((await problemOf(float.listPeople())).status).toBe(502);
    sandbox.ctx.faults.set({ oversizedRate: 0, slowBodyRate: 1 });
    expect((await problemOf(float.listPeople())).status).toBe(504);
    sandbox.ctx.faults.set({ slowBodyRate: 0, hangRate: 1 });
    expect((await problemOf(float.getTask(5000001))).status).toBe(504);
  });

  it('answers 200 with a body of the wrong shape as 502, not a crash', async () => {
    const float = connector();
    sandbox.ctx.faults.set({ ...vendor, errorRate: 1, errorStatus: 200 });
    expect((await problemOf(float.listPeople())).status).toBe(502);
    expect((await problemOf(float.getPerson(10001))).status).toBe(502);
  });

  it('never puts the API token in an error or a log line', async () => {
    const { logger, lines } = capturingLogger();
    const good = connector({ logger });
    sandbox.ctx.faults.set({ ...vendor, errorRate: 1, errorStatus: 503 });
    const upstream = await problemOf(good.listPeople());
    sandbox.ctx.faults.clear();
    const wrongToken = `${SCHEDULING_SANDBOX_TOKEN}-revoked`;
    const bad = connector({ apiToken: wrongToken, logger });
    const refused = await problemOf(bad.listPeople());
    expect(refused.status).toBe(502);
    expect(refused.extensions).toMatchObject({ platform: 'scheduling', upstreamStatus: 401 });
    const everything = [upstream, refused]
      .flatMap((p) => [p.message, p.detail, JSON.stringify(p.headers), JSON.stringify(p.extensions), JSON.stringify(p.errors ?? [])])
      .concat(lines)
      .join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(SCHEDULING_SANDBOX_TOKEN);
  });
});
