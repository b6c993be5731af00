// Version routing from the contracts' lifecycle: deprecated versions answer with
// Deprecation/Sunset/Link headers, retired ones 410, unknown majors 404 listing versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Json, makeKey, startGateway, startJwks, token, type TestGateway, type TestJwks } from './support.js';

describe('version routing', () => {
  let jwks: TestJwks;
  let gw: TestGateway;
  let jwt: string;

  beforeAll(async () => {
    const key = await makeKey();
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url);
    jwt = await token({ key, scope: 'widgets:read' });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  it('answers an active version without deprecation headers', async () => {
    const res = await fetch(`${gw.url}/system/widgets/v3/widgets`, { headers: bearer(jwt) });
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(res.headers.get('sunset')).toBeNull();
  });

  it('answers a deprecated version normally, with Deprecation, Sunset and Link', async () => {
    const res = await fetch(`${gw.url}/system/widgets/v2/widgets`, { headers: bearer(jwt) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [{ id: 'w-1', name: 'First widget' }] });
    // x-deprecated-at 2026-01-15T00:00:00Z, x-sunset 2027-06-30 in the fixture contract.
    expect(res.headers.get('deprecation')).toBe(`@${Date.UTC(2026, 0, 15) / 1000}`);
    expect(res.headers.get('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    const link = res.headers.get('link');
    expect(link).toContain('</docs/system/widgets/v3>; rel="deprecation"');
    expect(link).toContain('</system/widgets/v3>; rel="successor-version"');
  });

  it('answers a retired version with 410 naming the successor', async () => {
    const res = await fetch(`${gw.url}/system/widgets/v1/widgets`, { headers: bearer(jwt) });
    expect(res.status).toBe(410);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ type: '/problems/gone', status: 410, successor: '/system/widgets/v3' });
    expect(body.detail).toContain('/system/widgets/v3');
  });

  it('answers an unknown major of a known API with 404 listing the versions that exist', async () => {
    const res = await fetch(`${gw.url}/system/widgets/v9/widgets`, { headers: bearer(jwt) });
    expect(res.status).toBe(404);
    const body = (await res.json()) as Json;
    expect(body.type).toBe('/problems/not-found');
    expect(body.versions.map((v: { version: string; lifecycle: string }) => `${v.version}:${v.lifecycle}`)).toEqual([
      'v1:retired',
      'v2:deprecated',
      'v3:active',
    ]);
  });

  it('lists every version with its lifecycle in the published catalogue', async () => {
    const res = await fetch(`${gw.url}/specs`);
    expect(res.status).toBe(200);
    const { apis } = (await res.json()) as Json;
    const widgets = apis.filter((a: { name: string }) => a.name === 'widgets');
    expect(widgets.map((w: { major: number; lifecycle: string }) => [w.major, w.lifecycle])).toEqual([
      [1, 'retired'],
      [2, 'deprecated'],
      [3, 'active'],
    ]);
    expect(widgets[1]).toMatchObject({ successor: '/system/widgets/v3', sunset: '2027-06-30T00:00:00.000Z' });
  });
});
