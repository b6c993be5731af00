// The Harvest-shaped connector against the time sandbox over real HTTP: paging by links.next,
// reads only, the platform's 429, injected faults, and the token never in an error or a log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { createTimeSandbox, TIME_SANDBOX_ACCOUNT_ID, TIME_SANDBOX_TOKEN, type TimeState } from '../../sandboxes/time/index.js';
import { capturingLogger, problemOf } from '../../test/support/platform-client.js';
import { TimeConnector, type TimeConnectorOptions } from './connector.js';

let sandbox: SandboxApp<TimeState>;
let running: RunningSandbox;
const connectors: TimeConnector[] = [];

function connector(overrides: Partial<TimeConnectorOptions> = {}): TimeConnector {
  const c = new TimeConnector({
    baseUrl: running.url,
    accessToken: TIME_SANDBOX_TOKEN,
    accountId: TIME_SANDBOX_ACCOUNT_ID,
    timeoutMs: 2_000,
    backoff: { baseMs: 5, capMs: 20 },
    breaker: { consecutiveFailures: 50 },
    ...overrides,
  });
  connectors.push(c);
  return c;
}

beforeAll(async () => {
  sandbox = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 10_000, windowSeconds: 15 } }));
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

describe('time connector: entries and paging', () => {
  it('follows links.next through every unbilled entry of the large seed', async () => {
    sandbox.reset('large');
    const requested: string[] = [];
    const harvest = connector({ onCall: (path) => void requested.push(path) });
    const first = await harvest.listTimeEntries({ isBilled: false }, 2000);
    expect(first.nextPath, 'the first page links to the next').toMatch(/^\/v2\/time_entries\?/);
    const all = await harvest.allTimeEntries({ isBilled: false });
    expect(all, 'every entry the platform counts, once').toHaveLength(first.total_entries);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.every((e) => !e.is_billed)).toBe(true);
    expect(all.some((e) => e.is_closed) && all.some((e) => !e.is_closed), 'approval is left to the caller').toBe(true);
  });

  it('follows a next link only to the same list on the configured host', async () => {
    const harvest = connector();
    await expect(harvest.timeEntriesAt('/v2/users?page=2'), 'another list').rejects.toMatchObject({ status: 502 });
    await expect(harvest.timeEntriesAt('@evil.example/v2/time_entries?page=2'), 'another host').rejects.toMatchObject({ status: 502 });
    const page = await harvest.listTimeEntries({}, 10);
    const second = await harvest.timeEntriesAt(page.nextPath!);
    expect(
      second.time_entries.map((e) => e.id),
      'the second page continues the first',
    ).not.toContain(page.time_entries[0].id);
  });

  it('reads approval from is_closed and Harvest invoicing from is_billed', async () => {
    const harvest = connector();
    const entries = await harvest.allTimeEntries();
    const approved = entries.find((e) => e.is_closed && !e.is_billed)!;
    expect(approved.locked_reason).toBe('Item Approved and Locked for this Time Period');
    expect(approved, 'no approval_status field').not.toHaveProperty('approval_status');
    expect(await harvest.getTimeEntry(1)).toBeUndefined();
  });

  it('maps Harvest 422 answers to problem details', async () => {
    const harvest = connector();
    const problem = await problemOf(harvest.createTimeEntry({ project_id: 1, task_id: 1, spent_date: '2025-06-02', hours: 1 }));
    expect(problem.status).toBe(422);
    expect(problem.detail).toMatch(/Project can't be blank/);
    expect(problem.extensions).toMatchObject({ platform: 'time', upstreamStatus: 422 });
  });

  it('reads expenses in pages', async () => {
    const harvest = connector();
    const page = await harvest.listExpenses({}, 3);
    expect(page).toMatchObject({ total_entries: 4, total_pages: 2 });
    const rest = await harvest.expensesAt(page.nextPath!);
    expect(rest.expenses, 'the last page holds the fourth').toHaveLength(1);
    expect(rest.nextPath).toBeNull();
    expect(await harvest.getExpense(page.expenses[0].id)).toEqual(page.expenses[0]);
  });
});

describe('time connector: unsafe consumption and resilience', () => {
  const vendor = { paths: '/v2' };

  it('waits out the platform’s own 429 Retry-After and carries on', async () => {
    const limited = createSandboxApp(createTimeSandbox({ rateLimit: { requests: 2, windowSeconds: 1 } }));
    const server = await listen(limited.app);
    const statuses: number[] = [];
    try {
      const harvest = connector({ baseUrl: server.url, onCall: (_p, _m, s) => void statuses.push(s) });
      for (let i = 0; i < 3; i++) expect((await harvest.listExpenses({}, 1)).expenses).toHaveLength(1);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('retries a GET on 5xx and gives 502 after the last attempt', async () => {
    const statuses: number[] = [];
    const harvest = connector({ onCall: (_p, _m, s) => void statuses.push(s) });
    sandbox.ctx.faults.set({ ...vendor, errorRate: 1, errorStatus: 502 });
    const problem = await problemOf(harvest.listTimeEntries());
    expect(problem.status).toBe(502);
    expect(statuses).toEqual([502, 502, 502]);
  });

  it('gives 503 with Retry-After during an outage longer than it will wait', async () => {
    const harvest = connector({ maxRetryAfterMs: 100 });
    sandbox.ctx.faults.set({ ...vendor, outageUntil: new Date(Date.now() + 60_000).toISOString() });
    const problem = await problemOf(harvest.listTimeEntries());
    expect(problem.status).toBe(503);
    expect(Number(problem.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('turns malformed, redirecting, oversized and wrongly shaped answers into 502, slow ones into 504', async () => {
    const harvest = connector({ maxAttempts: 1, maxResponseBytes: 256 * 1024, timeoutMs: 1_000 });
    sandbox.ctx.faults.set({ ...vendor, malformedRate: 1 });
    expect((await problemOf(harvest.listTimeEntries())).status).toBe(502);
    sandbox.ctx.faults.set({ malformedRate: 0, redirectRate: 1 });
    expect((await problemOf(harvest.listTimeEntries())).status).toBe(502);
    sandbox.ctx.faults.set({ redirectRate: 0, oversizedRate: 1, oversizedBytes: 1024 * 1024 });
    expect((await problemOf(harvest.listTimeEntries())).status).toBe(502);
    sandbox.ctx.faults.set({ oversizedRate: 0, errorRate: 1, errorStatus: 200 });
    expect((await problemOf(harvest.listTimeEntries())).status).toBe(502);
    sandbox.ctx.faults.set({ errorRate: 0, slowBodyRate: 1 });
    expect((await problemOf(harvest.listTimeEntries())).status).toBe(504);
    sandbox.ctx.faults.set({ slowBodyRate: 0, hangRate: 1 });
    expect((await problemOf(harvest.getExpense(15000001))).status).toBe(504);
  });

  it('never puts the access token in an error or a log line', async () => {
    const { logger, lines } = capturingLogger();
    const good = connector({ logger });
    sandbox.ctx.faults.set({ ...vendor, errorRate: 1, errorStatus: 500 });
    const upstream = await problemOf(good.listTimeEntries());
    sandbox.ctx.faults.clear();
    const bad = connector({ accessToken: `${TIME_SANDBOX_TOKEN}-revoked`, logger });
    const refused = await problemOf(bad.listTimeEntries());
    expect(refused.extensions).toMatchObject({ platform: 'time', upstreamStatus: 401 });
    const wrongAccount = await problemOf(connector({ accountId: '42', logger }).listTimeEntries());
    expect(wrongAccount.extensions).toMatchObject({ upstreamStatus: 403 });
    const everything = [upstream, refused, wrongAccount]
      .flatMap((p) => [p.message, p.detail, JSON.stringify(p.headers), JSON.stringify(p.extensions)])
      .concat(lines)
      .join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(TIME_SANDBOX_TOKEN);
  });
});
