// Retries only where safe, Retry-After honoured or refused past the cap, token refresh on
// 401, and the circuit breaker's open and half-open states, all against a real sandbox.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeClient, problemOf, startVendor, type Vendor } from '../../test/support/platform-client.js';
import type { PlatformClient } from './http-client.js';

let vendor: Vendor;
const clients: PlatformClient[] = [];
const track = <T extends { client: PlatformClient }>(made: T): T => (clients.push(made.client), made);

beforeAll(async () => {
  vendor = await startVendor();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await vendor.running.close();
});
afterEach(() => {
  vendor.sandbox.reset('small');
  vendor.sandbox.ctx.faults.clear();
});

describe('PlatformClient retries', () => {
  it('retries a retryable request after 5xx, with the same outcome as a healthy call', async () => {
    const { client } = track(makeClient(vendor));
    vendor.state().flakyLeft = 2;
    const res = await client.request<{ ok: boolean }>({ method: 'GET', path: '/flaky' });
    expect(res.body.ok).toBe(true);
    expect(vendor.state().hits.flaky).toBe(3);
  });

  it('gives up after maxAttempts with 502 and the vendor detail', async () => {
    const { client } = track(makeClient(vendor, { maxAttempts: 2 }));
    vendor.state().flakyLeft = 5;
    const err = await problemOf(client.request({ method: 'GET', path: '/flaky' }));
    expect(err.status).toBe(502);
    expect(err.detail).toBe('Unexpected error.');
    expect(err.extensions).toMatchObject({ platform: 'erp', upstreamStatus: 500 });
    expect(vendor.state().hits.flaky).toBe(2);
  });

  it('never retries an unsafe POST after a 5xx, but does when marked retryable (upsert)', async () => {
    const { client } = track(makeClient(vendor));
    vendor.state().flakyLeft = 1;
    await problemOf(client.request({ method: 'POST', path: '/records', body: { name: 'x' } }));
    expect(vendor.state().hits.create).toBe(1);
    vendor.state().flakyLeft = 1;
    const res = await client.request({ method: 'POST', path: '/records', body: { name: 'x' }, retryable: true });
    expect(res.status).toBe(201);
    expect(vendor.state().hits.create).toBe(3);
  });

  it('waits for Retry-After on 429 and then succeeds', async () => {
    const { client } = track(makeClient(vendor));
    await client.request({ method: 'GET', path: '/records' }); // token fetched before the limit starts
    vendor.sandbox.ctx.faults.set({ rateLimitBurst: { remaining: 0, retryAfterSeconds: 1 } });
    const res = await client.request({ method: 'GET', path: '/records' });
    expect(res.status).toBe(200);
    expect(vendor.sandbox.ctx.faults.get().rateLimitBurst).toBeUndefined();
  });

  it('resends even an unsafe POST after a 429, which the platform refused unprocessed', async () => {
    const { client } = track(makeClient(vendor));
    await client.request({ method: 'GET', path: '/records' });
    vendor.sandbox.ctx.faults.set({ rateLimitBurst: { remaining: 0, retryAfterSeconds: 1 } });
    const res = await client.request({ method: 'POST', path: '/records', body: { name: 'after 429' } });
    expect(res.status).toBe(201);
    expect(vendor.state().hits.create).toBe(1);
  });

  it('fails fast with 503 and Retry-After when the platform asks for longer than the cap', async () => {
    const { client } = track(makeClient(vendor));
    await client.request({ method: 'GET', path: '/records' });
    vendor.sandbox.ctx.faults.set({ rateLimitBurst: { remaining: 0, retryAfterSeconds: 120 } });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-unavailable');
    expect(Number(err.headers['Retry-After'])).toBeGreaterThan(100);
    expect(vendor.state().hits.list).toBe(1);
  });

  it('answers an outage with 503 and Retry-After', async () => {
    const { client } = track(makeClient(vendor));
    await client.request({ method: 'GET', path: '/records' });
    vendor.sandbox.ctx.faults.set({ outageUntil: new Date(Date.now() + 600_000).toISOString() });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.status).toBe(503);
    expect(Number(err.headers['Retry-After'])).toBeGreaterThan(500);
  });
});

describe('PlatformClient authorisation', () => {
  it('fetches a token once, and refetches once after a 401', async () => {
    const { client } = track(makeClient(vendor));
    await client.request({ method: 'GET', path: '/records' });
    await client.request({ method: 'GET', path: '/records' });
    expect(vendor.state().tokenFetches).toBe(1);
    vendor.state().tokens.clear(); // the platform revokes the token
    const res = await client.request({ method: 'GET', path: '/records' });
    expect(res.status).toBe(200);
    expect(vendor.state().tokenFetches).toBe(2);
  });

  it('answers 502 when the platform keeps refusing the credentials', async () => {
    const { client } = track(makeClient(vendor, { authorize: async () => ({ Authorization: 'Bearer revoked' }) }));
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-error');
    expect(err.extensions).toMatchObject({ platform: 'erp', upstreamStatus: 401 });
  });
});

describe('PlatformClient circuit breaker', () => {
  it('opens after consecutive failures, answers 503 without calling, then probes and closes', async () => {
    const { client } = track(makeClient(vendor, { maxAttempts: 1, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 300 } }));
    vendor.state().flakyLeft = 100;
    for (let i = 0; i < 2; i++) expect((await problemOf(client.request({ method: 'GET', path: '/flaky' }))).status).toBe(502);
    const open = await problemOf(client.request({ method: 'GET', path: '/flaky' }));
    expect(open.type).toBe('upstream-unavailable');
    expect(open.extensions).toMatchObject({ platform: 'erp', circuit: 'open' });
    expect(Number(open.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(vendor.state().hits.flaky).toBe(2);

    vendor.state().flakyLeft = 0; // the platform recovers
    // Stays: lets the breaker's half-open delay pass (the time window under test).
    await new Promise((r) => setTimeout(r, 350));
    const probe = await client.request<{ ok: boolean }>({ method: 'GET', path: '/flaky' });
    expect(probe.body.ok).toBe(true);
    expect((await client.request({ method: 'GET', path: '/flaky' })).status).toBe(200);
    expect(vendor.state().hits.flaky).toBe(4);
  });

  it('re-opens when the half-open probe fails', async () => {
    const { client } = track(makeClient(vendor, { maxAttempts: 1, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 200 } }));
    vendor.state().flakyLeft = 100;
    await problemOf(client.request({ method: 'GET', path: '/flaky' }));
    // Stays: lets the 200 ms half-open delay pass (the time window under test).
    await new Promise((r) => setTimeout(r, 250));
    expect((await problemOf(client.request({ method: 'GET', path: '/flaky' }))).status).toBe(502); // the probe
    expect((await problemOf(client.request({ method: 'GET', path: '/flaky' }))).extensions.circuit).toBe('open');
    expect(vendor.state().hits.flaky).toBe(2);
  });

  it('does not count client errors (4xx) as platform failures', async () => {
    const { client } = track(makeClient(vendor, { maxAttempts: 1, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } }));
    for (let i = 0; i < 3; i++) expect((await problemOf(client.request({ method: 'GET', path: '/records/x' }))).status).toBe(404);
    expect((await client.request({ method: 'GET', path: '/records' })).status).toBe(200);
  });
});
