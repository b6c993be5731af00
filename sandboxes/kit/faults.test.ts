// Every injected fault, observed through real HTTP against a fixture sandbox.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request, errors } from 'undici';
import { createSandboxApp, listen, type RunningSandbox } from './index.js';
import { fixtureSandbox, type FixtureState } from '../../test/support/fixture-sandbox.js';
import type { SandboxApp } from './app.js';

let sandbox: SandboxApp<FixtureState>;
let running: RunningSandbox;

async function setFaults(body: Record<string, unknown>) {
  const res = await request(`${running.url}/_sandbox/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  sandbox = createSandboxApp(fixtureSandbox);
  running = await listen(sandbox.app);
});
afterAll(() => running.close());
beforeEach(async () => {
  await request(`${running.url}/_sandbox/faults`, { method: 'DELETE' }).then((r) => r.body.dump());
});

describe('sandbox faults', () => {
  it('answers errorRate with errorStatus in the vendor shape, and never faults the admin API', async () => {
    expect((await setFaults({ errorRate: 1, errorStatus: 503 })).status).toBe(200);
    const res = await request(`${running.url}/items`);
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toEqual([{ errorCode: 'SERVER_ERROR', message: 'Injected failure.' }]);
    const health = await request(`${running.url}/_sandbox/health`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toMatchObject({ status: 'ok', platform: 'crm' });
  });

  it('counts the faults it answered by fault and method until the faults are cleared', async () => {
    await setFaults({ errorRate: 1, paths: '/items/' });
    for (const path of ['/items/a', '/items/b', '/items']) await request(`${running.url}${path}`).then((r) => r.body.dump());
    const injected = async () => (await request(`${running.url}/_sandbox/faults/injected`)).body.json();
    expect(await injected(), 'two GETs met an injected error; the one outside the paths did not').toEqual({ 'error GET': 2 });
    await request(`${running.url}/_sandbox/faults`, { method: 'DELETE' }).then((r) => r.body.dump());
    expect(await injected(), 'cleared with the faults').toEqual({});
  });

  it('limits faults to a path prefix when asked', async () => {
    await setFaults({ errorRate: 1, paths: '/items/' });
    expect(await request(`${running.url}/items`).then(async (r) => (await r.body.dump(), r.statusCode))).toBe(200);
    expect(await request(`${running.url}/items/x`).then(async (r) => (await r.body.dump(), r.statusCode))).toBe(500);
  });

  it('faults the same requests on every run of a seeded plan, whatever order concurrent requests arrive in', async () => {
    const statuses = async (paths: string[]) =>
      Promise.all(paths.map((p) => request(`${running.url}${p}`).then(async (r) => (await r.body.dump(), `${p} ${r.statusCode}`))));
    const paths = Array.from({ length: 12 }, (_, i) => `/items/${i % 4}`);
    await setFaults({ errorRate: 0.5, seed: 1234 });
    const first = (await statuses(paths)).sort();
    await setFaults({ seed: 1234 });
    const again = (await statuses([...paths].reverse())).sort();
    expect(again).toEqual(first);
    // The plan is a draw, not a rule: it faults some requests and not others.
    expect(first.filter((s) => s.endsWith(' 500')).length).toBeGreaterThan(0);
    expect(first.filter((s) => s.endsWith(' 500')).length).toBeLessThan(paths.length);
    await setFaults({ seed: 99 });
    const other = (await statuses(paths)).sort();
    expect(other).not.toEqual(first);
  });

  it('refuses bad settings with 400 and keeps the old ones', async () => {
    const bad = await setFaults({ errorRate: 2, surprise: true });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/errorRate');
    const current = await request(`${running.url}/_sandbox/faults`);
    expect(await current.body.json()).toMatchObject({ errorRate: 0 });
  });

  it('answers 503 with Retry-After during an outage window, and normally after it', async () => {
    await setFaults({ outageUntil: new Date(Date.now() + 90_000).toISOString() });
    const res = await request(`${running.url}/items`);
    expect(res.statusCode).toBe(503);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(90);
    await res.body.dump();
    await setFaults({ outageUntil: new Date(Date.now() - 1000).toISOString() });
    const after = await request(`${running.url}/items`);
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });

  it('lets a burst through, then answers 429 with Retry-After until the wait has passed', async () => {
    await setFaults({ rateLimitBurst: { remaining: 2, retryAfterSeconds: 1 } });
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await request(`${running.url}/items`);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        retryAfter = res.headers['retry-after'];
        expect(await res.body.json()).toEqual([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests.' }]);
      } else await res.body.dump();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(retryAfter).toBe('1');
    // Stays: lets the sandbox's one-second rate-limit window pass (the window under test).
    await new Promise((r) => setTimeout(r, 1100));
    const later = await request(`${running.url}/items`);
    expect(later.statusCode).toBe(200);
    await later.body.dump();
  });

  it('adds latency: a client with a shorter headers timeout gives up', async () => {
    await setFaults({ latencyMs: 60_000 });
    await expect(request(`${running.url}/items`, { headersTimeout: 200 })).rejects.toBeInstanceOf(errors.HeadersTimeoutError);
  });

  it('answers malformed JSON with a JSON content type', async () => {
    await setFaults({ malformedRate: 1 });
    const res = await request(`${running.url}/items`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const text = await res.body.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('streams an oversized body of tens of MB', async () => {
    await setFaults({ oversizedRate: 1 });
    const res = await request(`${running.url}/items`);
    expect(res.statusCode).toBe(200);
    let bytes = 0;
    let tail = '';
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      tail = (tail + (chunk as Buffer).toString('utf8')).slice(-4);
    }
    expect(bytes).toBeGreaterThan(32 * 1024 * 1024);
    expect(tail.endsWith(']}')).toBe(true);
  });

  it('redirects to another host with 302', async () => {
    await setFaults({ redirectRate: 1 });
    const res = await request(`${running.url}/items?x=1`);
    expect(res.statusCode).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(location.host).not.toBe(new URL(running.url).host);
    expect(location.pathname + location.search).toBe('/items?x=1');
    await res.body.dump();
  });

  it('hangs without answering until the client gives up, and still closes promptly', async () => {
    await setFaults({ hangRate: 1 });
    const ac = new AbortController();
    const pending = request(`${running.url}/items`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(pending).rejects.toThrow();
    // A second hung request is still open when a separate server closes: close() must not wait for it.
    const other = createSandboxApp(fixtureSandbox);
    const otherRunning = await listen(other.app);
    other.ctx.faults.set({ hangRate: 1 });
    const hung = request(`${otherRunning.url}/items`).catch((e: unknown) => e);
    // Stays: gives the hung request time to reach the server; the assertions hold whether or not it has.
    await new Promise((r) => setTimeout(r, 100));
    await otherRunning.close();
    expect(await hung).toBeInstanceOf(Error);
  });

  it('drips a body slowly: a client with a body timeout gives up', async () => {
    await setFaults({ slowBodyRate: 1 });
    const res = await request(`${running.url}/items`, { bodyTimeout: 300 });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toBeInstanceOf(errors.BodyTimeoutError);
  });
});

describe('sandbox app', () => {
  it('seeds deterministically and resets to seed', async () => {
    const again = createSandboxApp(fixtureSandbox);
    expect(again.ctx.state()).toEqual(sandbox.ctx.state());
    const created = await request(`${running.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'New' }),
    });
    expect(created.statusCode).toBe(201);
    await created.body.dump();
    expect(sandbox.ctx.state().items).toHaveLength(4);
    const reset = await request(`${running.url}/_sandbox/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: 'large' }),
    });
    expect(await reset.body.json()).toEqual({ platform: 'crm', seed: 'large' });
    expect(sandbox.ctx.state().items).toHaveLength(50);
    sandbox.reset('small');
    expect(sandbox.ctx.state()).toEqual(again.ctx.state());
  });

  it('knows its own URL and answers bad JSON and unknown paths in the vendor shape', async () => {
    const list = await request(`${running.url}/items`);
    expect(((await list.body.json()) as { self: string }).self).toBe(`${running.url}/items`);
    const bad = await request(`${running.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toEqual([expect.objectContaining({ errorCode: 'SERVER_ERROR' })]);
    const missing = await request(`${running.url}/nothing-here`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });
});
