// The platform client against a real sandbox: answers, vendor errors, and unsafe
// consumption (redirect, hang, slow body, malformed, oversized, unreachable).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../sandboxes/kit/index.js';
import { makeClient, problemOf, startVendor, type Vendor } from '../../test/support/platform-client.js';
import type { PlatformClient } from './http-client.js';
import express from 'express';

let vendor: Vendor;
let client: PlatformClient;
const calls: Array<[string, string, number]> = [];

beforeAll(async () => {
  vendor = await startVendor();
  ({ client } = makeClient(vendor, { maxAttempts: 1, onCall: (p, m, s) => void calls.push([p, m, s]) }));
});
afterAll(async () => {
  await client.close();
  await vendor.running.close();
});
afterEach(() => {
  vendor.sandbox.ctx.faults.clear();
  calls.length = 0;
});

describe('PlatformClient answers', () => {
  it('sends the query, authorises, parses JSON and counts the call', async () => {
    const res = await client.request<{ items: unknown[]; query: Record<string, string> }>({
      method: 'GET',
      path: '/records?fixed=1',
      query: { limit: 2, active: true, skipped: undefined },
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.query).toEqual({ fixed: '1', limit: '2', active: 'true' });
    expect(res.headers['content-type']).toMatch(/json/);
    expect(calls).toEqual([['erp', 'GET', 200]]);
  });

  it('maps a vendor error through mapError and names the platform', async () => {
    const err = await problemOf(client.request({ method: 'GET', path: '/records/999' }));
    expect(err.status).toBe(404);
    expect(err.detail).toBe('Record 999 was not found.');
    expect(err.extensions).toMatchObject({ platform: 'erp', vendorCode: 'NONEXISTENT_ID' });
  });

  it('hands back statuses the caller accepts', async () => {
    const res = await client.request({ method: 'GET', path: '/records/999', acceptStatuses: [404] });
    expect(res.status).toBe(404);
  });

  it('propagates the trace id with a new parent id', async () => {
    const inbound = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const { client: traced } = makeClient(vendor, { traceparent: () => inbound });
    const res = await traced.request<{ traceparent: string }>({ method: 'GET', path: '/echo' });
    const [version, traceId, parentId, flags] = res.body.traceparent.split('-');
    expect([version, traceId, flags]).toEqual(['00', '4bf92f3577b34da6a3ce929d0e0e4736', '01']);
    expect(parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(parentId).not.toBe('00f067aa0ba902b7');
    const { client: invalid } = makeClient(vendor, { traceparent: () => 'not-a-traceparent' });
    expect((await invalid.request<{ traceparent: string | null }>({ method: 'GET', path: '/echo' })).body.traceparent).toBeNull();
    await traced.close();
    await invalid.close();
  });
});

describe('PlatformClient unsafe consumption', () => {
  it('does not follow a redirect: 502 upstream-error', async () => {
    vendor.sandbox.ctx.faults.set({ redirectRate: 1, paths: '/api/' });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-error');
    expect(err.status).toBe(502);
    expect(err.extensions).toMatchObject({ platform: 'erp', upstreamStatus: 302 });
  });

  it('turns a hung platform into 504 upstream-timeout', async () => {
    vendor.sandbox.ctx.faults.set({ hangRate: 1, paths: '/api/' });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-timeout');
    expect(err.status).toBe(504);
    expect(calls).toEqual([['erp', 'GET', 504]]);
  });

  it('turns a slow-drip body into 504 even though bytes keep arriving', async () => {
    vendor.sandbox.ctx.faults.set({ slowBodyRate: 1, paths: '/api/' });
    // The drip sends two bytes a second, well within the 2.5 s body timeout: only the overall deadline ends it.
    const { client: patient } = makeClient(vendor, { maxAttempts: 1, timeoutMs: 2_500 });
    const err = await problemOf(patient.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-timeout');
    await patient.close();
  });

  it('turns malformed JSON into 502', async () => {
    vendor.sandbox.ctx.faults.set({ malformedRate: 1, paths: '/api/' });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-error');
    expect(err.detail).toMatch(/malformed JSON/);
  });

  it('stops reading an oversized body at the cap: 502', async () => {
    vendor.sandbox.ctx.faults.set({ oversizedRate: 1, paths: '/api/' });
    const err = await problemOf(client.request({ method: 'GET', path: '/records' }));
    expect(err.type).toBe('upstream-error');
    expect(err.detail).toMatch(/more than the 10485760 bytes/);
  });

  it('refuses a 2xx that is not JSON: 502', async () => {
    const err = await problemOf(client.request({ method: 'GET', path: '/html' }));
    expect(err.type).toBe('upstream-error');
    expect(err.detail).toMatch(/text\/html/);
  });

  it('turns a refused connection into 503 upstream-unavailable', async () => {
    const gone = await listen(express());
    await gone.close();
    const { client: nowhere } = makeClient(vendor, { baseUrl: gone.url, authorize: undefined, maxAttempts: 2 });
    const err = await problemOf(nowhere.request({ method: 'POST', path: '/records', body: {} }));
    expect(err.type).toBe('upstream-unavailable');
    expect(err.status).toBe(503);
    expect(err.extensions.platform).toBe('erp');
    await nowhere.close();
  });
});
