// The order of the gateway pipeline as an attacker meets it: the address's rate limit before
// authentication, the token before any body is read or inflated, then strict JSON (one key per
// object, UTF-8 only) and no coercion of body types. Each refusal is checked to store nothing.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeKey, startGateway, startJwks, token, type Json, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const WIDGETS = '/system/widgets/v3/widgets';

let key: SigningKey;
let jwks: TestJwks;
beforeAll(async () => {
  key = await makeKey();
  jwks = await startJwks([key]);
});
afterAll(async () => {
  await jwks?.close();
});

async function widgetNames(gw: TestGateway): Promise<string[]> {
  const jwt = await token({ key, scope: 'widgets:read', clientId: 'reader', sub: 'reader' });
  const res = await fetch(`${gw.url}${WIDGETS}?limit=50`, { headers: bearer(jwt) });
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).items.map((w: Json) => w.name as string);
}

describe('authentication before the body', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(jwks.url, { BODY_LIMIT_BYTES: '65536' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('answers 401, not 400, to broken JSON without a token, and stores nothing', async () => {
    const before = await widgetNames(gw);
    const res = await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name": ' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await widgetNames(gw)).toEqual(before);
  });

  it('answers 401 to a gzip bomb without a token, and 413 with one: the inflated size is bounded', async () => {
    const before = await widgetNames(gw);
    // 2 KiB on the wire, 4 MiB once inflated.
    const bomb = gzipSync(Buffer.from(`{"name":"x","note":"${'a'.repeat(4 * 1024 * 1024)}"}`));
    expect(bomb.length).toBeLessThan(8192);
    const headers = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };
    const anonymous = await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers, body: bomb });
    expect(anonymous.status).toBe(401);
    const jwt = await token({ key, scope: 'widgets:write', clientId: 'writer', sub: 'writer' });
    const authenticated = await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers: { ...headers, ...bearer(jwt) }, body: bomb });
    expect(authenticated.status).toBe(413);
    expect(await authenticated.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
    expect(await widgetNames(gw)).toEqual(before);
  });
});

describe('rate limit per client address, before authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(jwks.url, { RATE_LIMIT_ADDRESS_LIMIT: '4', RATE_LIMIT_ADDRESS_WINDOW_S: '60' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('counts failed authentication, then answers 429 before looking at the token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${gw.url}${WIDGETS}`, { headers: { Authorization: 'Bearer not.a.token' } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    // Even a valid token from the same address waits now: the address's quota is spent.
    const jwt = await token({ key, scope: 'widgets:write', clientId: 'writer', sub: 'writer' });
    const limited = await fetch(`${gw.url}${WIDGETS}`, {
      method: 'POST',
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'while limited' }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-policy')).toBe('"per-address";q=4;w=60');
    expect(await limited.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
  });
});

describe('strict JSON bodies and no coercion of body types', () => {
  let gw: TestGateway;
  let writer: Record<string, string>;
  beforeAll(async () => {
    gw = await startGateway(jwks.url);
    const jwt = await token({ key, scope: 'widgets:write', clientId: 'writer', sub: 'writer' });
    writer = { ...bearer(jwt), 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await gw?.close();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = writer) =>
    fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers, body });

  it.each([
    ['a duplicate key', '{"name":"first","name":"second"}', '/name'],
    ['a duplicate key spelt with an escape', '{"name":"first","\\u006eame":"second"}', '/name'],
    ['a nested duplicate key', '{"name":"ok","note":"x","extra":{"a":1,"a":2}}', '/extra/a'],
  ])('refuses %s with a 400 problem and stores nothing', async (_case, body, pointer) => {
    const before = await widgetNames(gw);
    const res = await post(body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Json;
    expect(problem).toMatchObject({ type: '/problems/malformed-json', status: 400 });
    expect(problem.detail).toContain(pointer);
    expect(await widgetNames(gw)).toEqual(before);
  });

  it('refuses invalid UTF-8 with a 400 problem and stores nothing', async () => {
    const before = await widgetNames(gw);
    const body = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: '/problems/malformed-json', status: 400 });
    expect(await widgetNames(gw)).toEqual(before);
  });

  it('refuses a charset other than UTF-8 with 415 and stores nothing', async () => {
    const before = await widgetNames(gw);
    const res = await post('{"name":"latin"}', { ...writer, 'Content-Type': 'application/json; charset=latin1' });
    expect(res.status).toBe(415);
    expect(await widgetNames(gw)).toEqual(before);
  });

  it.each([
    ['a number for a string', '{"name":123}'],
    ['a boolean for a string', '{"name":true}'],
    ['an array for a string', '{"name":["x"]}'],
  ])('does not coerce %s: 400 validation-failed, nothing stored', async (_case, body) => {
    const before = await widgetNames(gw);
    const res = await post(body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Json;
    expect(problem).toMatchObject({ type: '/problems/validation-failed', status: 400 });
    expect(problem.errors.map((e: Json) => e.pointer)).toContain('/body/name');
    expect(await widgetNames(gw)).toEqual(before);
  });

  it('still takes a well-formed body, and still coerces query strings the contract types', async () => {
    const res = await post(JSON.stringify({ name: 'strictly fine' }));
    expect(res.status).toBe(201);
    expect(await widgetNames(gw)).toContain('strictly fine');
    const jwt = await token({ key, scope: 'widgets:read', clientId: 'reader', sub: 'reader' });
    const page = await fetch(`${gw.url}${WIDGETS}?limit=1`, { headers: bearer(jwt) });
    expect(page.status).toBe(200);
    expect(((await page.json()) as Json).items).toHaveLength(1);
  });
});
