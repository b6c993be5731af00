// The SDK runtime against a local node:http server that misbehaves on purpose: Retry-After
// honoured with the same Idempotency-Key on every attempt, bounded attempts, no blind repeat of
// an unsafe call after a network error, and problem details as a typed error.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCrmV2Client } from '../../generated/sdk/crm.v2.js';
import { createOperationsV1Client } from '../../generated/sdk/operations.v1.js';
import { createSdkClient, expectData, ProblemDetailsError, retryAfterMs, retryingFetch } from '../../sdk/runtime.js';

type Script = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

let server: Server;
let url: string;
let script: Script;
let seen: IncomingMessage[];
let waits: number[];
const sleep = async (ms: number) => void waits.push(ms);
const OPPORTUNITY = '01a216af-078b-734e-a6c5-63f35c7d3ef9';
const PROVISIONING = { opportunityId: OPPORTUNITY, status: 'provisioning', stages: [], statusUrl: '/x', updatedAt: '2026-11-20T14:13:02Z' };

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers })
    .end(JSON.stringify(body));
const problem = (status: number, title: string) => ({ type: '/problems/x', title, status, detail: `${title}, on purpose.` });

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    req.resume().on('end', () => script(req, res, seen.length));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  seen = [];
  waits = [];
});

describe('retries', () => {
  it('honours Retry-After: 1 on a 429 and sends the same Idempotency-Key (a Structured Field string) twice', async () => {
    script = (_req, res, attempt) =>
      attempt === 1 ? json(res, 429, problem(429, 'Too many requests'), { 'retry-after': '1' }) : json(res, 202, PROVISIONING);
    const crm = createCrmV2Client({ gatewayUrl: url, token: () => 'partner-token', sleep });
    const { data, response } = await crm.POST('/opportunities/{opportunityId}/project', {
      params: { path: { opportunityId: OPPORTUNITY } },
    });
    expect(response.status).toBe(202);
    expect(data?.status).toBe('provisioning');
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([1000]);
    const keys = seen.map((req) => req.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    expect(keys[1]).toBe(keys[0]);
    expect(seen.map((req) => req.headers.authorization)).toEqual(['Bearer partner-token', 'Bearer partner-token']);
  });

  it('gives every logical call its own key, and keeps one the caller chose', async () => {
    script = (_req, res) => json(res, 202, PROVISIONING);
    const crm = createCrmV2Client({ gatewayUrl: url, sleep });
    const path = { opportunityId: OPPORTUNITY };
    await crm.POST('/opportunities/{opportunityId}/project', { params: { path } });
    await crm.POST('/opportunities/{opportunityId}/project', { params: { path } });
    await crm.POST('/opportunities/{opportunityId}/project', { params: { path, header: { 'Idempotency-Key': '"mine-1"' } } });
    const keys = seen.map((req) => req.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    expect(keys[2]).toBe('"mine-1"');
  });

  it('gives up after maxAttempts on 503, answering the last problem as a typed error', async () => {
    script = (_req, res) => json(res, 503, problem(503, 'Service unavailable'));
    const crm = createCrmV2Client({ gatewayUrl: url, retry: { maxAttempts: 3, baseDelayMs: 50 }, sleep });
    const call = crm.GET('/accounts/{accountId}/overview', { params: { path: { accountId: OPPORTUNITY } } });
    const error = await expectData(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemDetailsError);
    expect((error as ProblemDetailsError).status).toBe(503);
    expect((error as ProblemDetailsError).problem.detail).toBe('Service unavailable, on purpose.');
    expect(seen).toHaveLength(3);
    // Jittered exponential backoff, never above the doubled base.
    expect(waits).toHaveLength(2);
    waits.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(50 * 2 ** i));
  });

  it('does not wait for a Retry-After beyond maxDelayMs: the 429 is answered at once', async () => {
    script = (_req, res) => json(res, 429, problem(429, 'Too many requests'), { 'retry-after': '3600' });
    const crm = createCrmV2Client({ gatewayUrl: url, retry: { maxDelayMs: 5_000 }, sleep });
    const { response } = await crm.GET('/accounts/{accountId}/overview', { params: { path: { accountId: OPPORTUNITY } } });
    expect(response.status).toBe(429);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not repeat an unsafe call without an Idempotency-Key after a network error, but repeats a GET and a keyed POST', async () => {
    script = (req) => req.socket.destroy();
    const send = retryingFetch({ retry: { maxAttempts: 3 }, sleep });
    await expect(send(new Request(`${url}/x`, { method: 'POST', body: '{}' }))).rejects.toThrow();
    expect(seen).toHaveLength(1);

    seen = [];
    await expect(send(new Request(`${url}/x`))).rejects.toThrow();
    expect(seen).toHaveLength(3);

    seen = [];
    const ops = createOperationsV1Client({ gatewayUrl: url, retry: { maxAttempts: 2 }, sleep });
    await expect(ops.POST('/runs/{runId}/retry', { params: { path: { runId: OPPORTUNITY } } })).rejects.toThrow();
    expect(seen).toHaveLength(2);
    expect(seen[1].headers['idempotency-key']).toBe(seen[0].headers['idempotency-key']);
  });

  it('adds no Idempotency-Key where the contract declares none', async () => {
    script = (_req, res) => json(res, 200, { items: [], nextCursor: null });
    const client = createSdkClient<{ '/things': { post: { responses: { 200: { content: { 'application/json': unknown } } } } } }>(
      { basePath: '', operations: [{ operationId: 'createThing', method: 'POST', path: '/things', idempotencyKey: false }] },
      { gatewayUrl: url, sleep },
    );
    await client.POST('/things', {});
    expect(seen[0].headers['idempotency-key']).toBeUndefined();
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and an HTTP-date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
