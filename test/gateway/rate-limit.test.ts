// Rate limits per consumer with IETF draft -10 headers, well-formed 429s, tiers, trusted
// proxies, a shared count across replicas in Redis, and failing open when Redis is down.
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseList } from 'structured-headers';
import { bearer, type Json, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';
import { waitFor } from '../support/wait-for.js';

const WIDGETS = '/system/widgets/v3/widgets';
const redisUrl = process.env.TEST_REDIS_URL;

/** Parses `"per-consumer";r=4;t=59` into its name and parameters. */
function rateLimitField(value: string | null): { name: string; params: Record<string, number> } {
  expect(value).not.toBeNull();
  const [[name, params]] = parseList(value!) as Array<[string, Map<string, number>]>;
  return { name: String(name), params: Object.fromEntries(params) };
}

describe('rate limits', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url, {
      RATE_LIMIT_LIMIT: '5',
      RATE_LIMIT_WINDOW_S: '60',
      RATE_LIMIT_TIERS: 'scope:widgets:bulk=50/30,consumer:vip-client=100/60',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  it('counts down per consumer, then answers a well-formed 429', async () => {
    const jwt = await token({ key, scope: 'widgets:read', clientId: 'countdown-client' });
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(jwt) });
      expect(res.status).toBe(200);
      const policy = rateLimitField(res.headers.get('ratelimit-policy'));
      expect(policy).toEqual({ name: 'per-consumer', params: { q: 5, w: 60 } });
      const limit = rateLimitField(res.headers.get('ratelimit'));
      expect(limit.name).toBe('per-consumer');
      expect(limit.params.t).toBeGreaterThanOrEqual(0);
      expect(limit.params.t).toBeLessThanOrEqual(60);
      remaining.push(limit.params.r);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);

    const limited = await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(jwt) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    const retryAfter = Number(limited.headers.get('retry-after'));
    const t = rateLimitField(limited.headers.get('ratelimit')).params.t;
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(t, 1));
    expect(rateLimitField(limited.headers.get('ratelimit')).params.r).toBe(0);
    expect(await limited.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });

    // Another consumer has its own quota.
    const other = await fetch(`${gw.url}${WIDGETS}`, {
      headers: bearer(await token({ key, scope: 'widgets:read', clientId: 'other-client' })),
    });
    expect(other.status).toBe(200);
    expect(rateLimitField(other.headers.get('ratelimit')).params.r).toBe(4);
  });

  it('keys on the consumer, not the token: a fresh token for the same client shares the count', async () => {
    const first = await fetch(`${gw.url}${WIDGETS}`, {
      headers: bearer(await token({ key, scope: 'widgets:read', clientId: 'rotating-client', sub: 'rotating-client' })),
    });
    const second = await fetch(`${gw.url}${WIDGETS}`, {
      headers: bearer(
        await token({ key, scope: 'widgets:read', clientId: 'rotating-client', sub: 'rotating-client', claims: { jti: 'second' } }),
      ),
    });
    expect(rateLimitField(first.headers.get('ratelimit')).params.r).toBe(4);
    expect(rateLimitField(second.headers.get('ratelimit')).params.r).toBe(3);
  });

  it("keys a person's token on the person, and a portal user's on their client account", async () => {
    const remaining = async (claims: { sub: string; clientAccount?: string; jti?: string }) => {
      const res = await fetch(`${gw.url}${WIDGETS}`, {
        headers: bearer(
          await token({
            key,
            scope: 'widgets:read',
            clientId: 'shared-app',
            sub: claims.sub,
            claims: { ...(claims.clientAccount ? { client_account: claims.clientAccount } : {}), jti: claims.jti ?? claims.sub },
          }),
        ),
      });
      return rateLimitField(res.headers.get('ratelimit')).params.r;
    };
    // Two people through one client application: a quota each.
    expect(await remaining({ sub: 'alice' })).toBe(4);
    expect(await remaining({ sub: 'alice', jti: 'alice-again' })).toBe(3);
    expect(await remaining({ sub: 'bob' })).toBe(4);
    // Portal users: one quota per client account, none shared across accounts.
    expect(await remaining({ sub: 'carol', clientAccount: 'account-a' })).toBe(4);
    expect(await remaining({ sub: 'dave', clientAccount: 'account-a' })).toBe(3);
    expect(await remaining({ sub: 'erin', clientAccount: 'account-b' })).toBe(4);
    // The machine token of the same client has the client's own quota.
    expect(await remaining({ sub: 'shared-app' })).toBe(4);
  });

  it('applies tiers by scope and by consumer', async () => {
    const bulk = await fetch(`${gw.url}${WIDGETS}`, {
      headers: bearer(await token({ key, scope: 'widgets:read widgets:bulk', clientId: 'bulk-client' })),
    });
    expect(rateLimitField(bulk.headers.get('ratelimit-policy')).params).toEqual({ q: 50, w: 30 });
    const vip = await fetch(`${gw.url}${WIDGETS}`, {
      headers: bearer(await token({ key, scope: 'widgets:read', clientId: 'vip-client' })),
    });
    expect(rateLimitField(vip.headers.get('ratelimit-policy')).params).toEqual({ q: 100, w: 60 });
  });

  it('does not let a spoofed X-Forwarded-For reset the per-address limit of public routes', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${gw.url}/healthz`, { headers: { 'X-Forwarded-For': `203.0.113.${i + 1}` } });
      seen.push(rateLimitField(res.headers.get('ratelimit')).params.r);
    }
    expect(seen).toEqual([4, 3, 2, 1]);
  });
});

describe('rate limits behind a trusted proxy', () => {
  it('uses the address the trusted hop reports (TRUST_PROXY=1)', async () => {
    const gw = await startGateway(undefined, { RATE_LIMIT_LIMIT: '5', TRUST_PROXY: '1' });
    try {
      const a1 = await fetch(`${gw.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
      const a2 = await fetch(`${gw.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
      const b1 = await fetch(`${gw.url}/healthz`, { headers: { 'X-Forwarded-For': '198.51.100.8' } });
      expect(rateLimitField(a1.headers.get('ratelimit')).params.r).toBe(4);
      expect(rateLimitField(a2.headers.get('ratelimit')).params.r).toBe(3);
      expect(rateLimitField(b1.headers.get('ratelimit')).params.r).toBe(4);
      // Only the last hop is trusted: a client-supplied entry in front of it changes nothing.
      const spoofed = await fetch(`${gw.url}/healthz`, { headers: { 'X-Forwarded-For': '10.9.9.9, 198.51.100.7' } });
      expect(rateLimitField(spoofed.headers.get('ratelimit')).params.r).toBe(2);
    } finally {
      await gw.close();
    }
  });
});

describe('rate limits when Redis is unreachable', () => {
  it('fails open: requests are served, the error is counted in a metric', async () => {
    const key = await makeKey();
    const jwks = await startJwks([key]);
    // Port 1 on loopback refuses connections.
    const gw = await startGateway(jwks.url, { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_LIMIT: '2', REDIS_COMMAND_TIMEOUT_MS: '200' });
    try {
      const jwt = await token({ key, scope: 'widgets:read ops:read' });
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(jwt), signal: AbortSignal.timeout(10_000) });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit')).toBeNull();
      }
      const metrics = await (await fetch(`${gw.url}/metrics`, { headers: bearer(jwt) })).text();
      const errors = /gateway_rate_limit_store_errors_total\{limiter="default"\} (\d+)/.exec(metrics);
      expect(Number(errors?.[1])).toBeGreaterThanOrEqual(4);
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as Json;
      expect(body.checks).toContainEqual(expect.objectContaining({ name: 'redis', status: 'down' }));
      expect(body.checks).toContainEqual(expect.objectContaining({ name: 'store', status: 'up' }));
    } finally {
      await gw.close();
      await jwks.close();
    }
  });
});

describe.skipIf(!redisUrl)('rate limits shared in Redis', () => {
  it('two gateway instances share one limit', async () => {
    const key = await makeKey();
    const jwks = await startJwks([key]);
    const env = { REDIS_URL: redisUrl!, RATE_LIMIT_LIMIT: '4', RATE_LIMIT_REDIS_PREFIX: `test-gw-${randomBytes(6).toString('hex')}:` };
    const a = await startGateway(jwks.url, env);
    const b = await startGateway(jwks.url, env);
    try {
      const jwt = await token({ key, scope: 'widgets:read', clientId: 'shared-client' });
      const statuses: number[] = [];
      const remaining: number[] = [];
      for (const gw of [a, b, a, b, a]) {
        const res = await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(jwt) });
        statuses.push(res.status);
        if (res.status === 200) remaining.push(rateLimitField(res.headers.get('ratelimit')).params.r);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(remaining).toEqual([3, 2, 1, 0]);
      const ready = await fetch(`${a.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as Json).checks).toContainEqual(expect.objectContaining({ name: 'redis', status: 'up' }));
    } finally {
      await a.close();
      await b.close();
      await jwks.close();
    }
  });
});
/** A TCP proxy to Redis that the test can cut and restore, to simulate an outage. */
async function redisProxy(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await open();
  return { url: `redis://127.0.0.1:${port}`, cut: shut, restore: open, close: shut };
}

async function untilRedisUp(base: string): Promise<void> {
  await waitFor(
    async () => ((await (await fetch(`${base}/readyz`)).json()) as { checks?: Array<{ name: string; status: string }> }).checks,
    {
      until: (checks) => checks?.some((c) => c.name === 'redis' && c.status === 'up') ?? false,
      what: 'Redis to be ready behind the gateway',
      timeoutMs: 10_000,
      intervalMs: 250,
    },
  );
}

describe.skipIf(!redisUrl)('rate limits through a Redis outage', () => {
  it('fails open while Redis is unreachable and counts again once it is back', async () => {
    const proxy = await redisProxy(new URL(redisUrl!));
    const key = await makeKey();
    const jwks = await startJwks([key]);
    const gw = await startGateway(jwks.url, {
      REDIS_URL: proxy.url,
      RATE_LIMIT_LIMIT: '50',
      REDIS_COMMAND_TIMEOUT_MS: '300',
      RATE_LIMIT_REDIS_PREFIX: `test-gw-outage-${randomBytes(6).toString('hex')}:`,
    });
    const jwt = await token({ key, scope: 'widgets:read', clientId: 'outage-client' });
    const call = () => fetch(`${gw.url}${WIDGETS}`, { headers: bearer(jwt), signal: AbortSignal.timeout(10_000) });
    try {
      // The gateway waits for Redis at start, bounded; on a loaded machine make sure it is up.
      await untilRedisUp(gw.url);
      expect(rateLimitField((await call()).headers.get('ratelimit')).params.r).toBe(49);
      await proxy.cut();
      const during = await call();
      expect(during.status).toBe(200);
      expect(during.headers.get('ratelimit')).toBeNull();
      await proxy.restore();
      // The client reconnects with backoff; poll (bounded) until counting resumes.
      const counted = await waitFor(call, {
        until: (res) => res.headers.get('ratelimit') !== null,
        what: 'the rate limiter to count again',
        timeoutMs: 10_000,
        intervalMs: 250,
      });
      expect(rateLimitField(counted.headers.get('ratelimit')).params.r).toBeLessThan(49);
    } finally {
      await gw.close();
      await jwks.close();
      await proxy.close();
    }
  }, 30_000);
});

if (!redisUrl) console.warn('[test] TEST_REDIS_URL not set: the shared Redis rate-limit test is skipped');
