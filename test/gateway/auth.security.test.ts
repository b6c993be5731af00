// JWT validation at the gateway (RFC 7519 / RFC 8725), over real HTTP against a JWKS the
// test serves on loopback with its own keys.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url } from 'jose';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const WIDGETS = '/system/widgets/v3/widgets';

describe('gateway authentication', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;

  beforeAll(async () => {
    key = await makeKey('ES256');
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url, { AUTH_CLOCK_TOLERANCE_S: '30', AUTH_JWKS_COOLDOWN_MS: '60000' });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  const get = (headers: Record<string, string> = {}, path = WIDGETS) => fetch(`${gw.url}${path}`, { headers });

  async function expectInvalidToken(res: Response) {
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
    const body = await res.json();
    expect(body).toMatchObject({ type: '/problems/unauthorized', status: 401 });
  }

  it('accepts a valid token with the scope', async () => {
    const res = await get(bearer(await token({ key, scope: 'widgets:read' })));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ items: [{ id: 'w-1', name: 'First widget' }] });
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ps-connectivity-layer"');
  });

  it('refuses alg "none"', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT', kid: key.kid }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(
      JSON.stringify({
        iss: 'https://issuer.test.example',
        aud: 'ps-connectivity-layer-test',
        sub: 'x',
        scope: 'widgets:read',
        exp: now + 600,
      }),
    );
    await expectInvalidToken(await get(bearer(`${header}.${payload}.`)));
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(
      JSON.stringify({
        iss: 'https://issuer.test.example',
        aud: 'ps-connectivity-layer-test',
        sub: 'x',
        scope: 'widgets:read',
        exp: now + 600,
      }),
    );
    // The classic confusion attack: the public key (as published, JSON) used as the shared secret.
    const secret = JSON.stringify(key.publicJwk);
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    await expectInvalidToken(await get(bearer(`${header}.${payload}.${signature}`)));
  });

  it('refuses a token expired beyond the clock tolerance, accepts one just inside it', async () => {
    await expectInvalidToken(await get(bearer(await token({ key, scope: 'widgets:read', expiresIn: -120 }))));
    const inside = await get(bearer(await token({ key, scope: 'widgets:read', expiresIn: -10 })));
    expect(inside.status).toBe(200);
  });

  it('refuses a token whose nbf is in the future beyond the tolerance', async () => {
    await expectInvalidToken(await get(bearer(await token({ key, scope: 'widgets:read', notBefore: 300 }))));
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await expectInvalidToken(await get(bearer(await token({ key, scope: 'widgets:read', issuer: 'https://evil.example' }))));
    await expectInvalidToken(await get(bearer(await token({ key, scope: 'widgets:read', audience: 'another-api' }))));
  });

  it('refuses a token without iss, aud or exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { SignJWT } = await import('jose');
    const noAud = await new SignJWT({ scope: 'widgets:read' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer('https://issuer.test.example')
      .setSubject('x')
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
    await expectInvalidToken(await get(bearer(noAud)));
    const noExp = await new SignJWT({ scope: 'widgets:read' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer('https://issuer.test.example')
      .setAudience('ps-connectivity-layer-test')
      .setSubject('x')
      .sign(key.privateKey);
    await expectInvalidToken(await get(bearer(noExp)));
  });

  it('refuses a tampered payload (signature no longer matches)', async () => {
    const jwt = await token({ key, scope: 'widgets:read' });
    const [h, p, s] = jwt.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    claims.scope = 'widgets:read widgets:write ops:read';
    const forged = `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`;
    await expectInvalidToken(await get(bearer(forged)));
  });

  it('refuses a token signed by a key that is not in the JWKS', async () => {
    const stranger = await makeKey('ES256');
    await expectInvalidToken(await get(bearer(await token({ key: stranger, scope: 'widgets:read' }))));
  });

  it('never follows jku: a token pointing at its own key set is refused', async () => {
    const attacker = await makeKey('ES256');
    const attackerJwks = await startJwks([attacker]);
    try {
      const { SignJWT } = await import('jose');
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ scope: 'widgets:read' })
        .setProtectedHeader({ alg: 'ES256', kid: attacker.kid, jku: attackerJwks.url })
        .setIssuer('https://issuer.test.example')
        .setAudience('ps-connectivity-layer-test')
        .setSubject('x')
        .setExpirationTime(now + 600)
        .sign(attacker.privateKey);
      await expectInvalidToken(await get(bearer(jwt)));
      expect(attackerJwks.fetches).toBe(0);
    } finally {
      await attackerJwks.close();
    }
  });

  it('refuses a token in the query string without reading it, even a valid one', async () => {
    const jwt = await token({ key, scope: 'widgets:read' });
    const res = await get({}, `${WIDGETS}?access_token=${jwt}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    // Even alongside a valid header: a token in a URL is already leaked.
    const both = await get(bearer(jwt), `${WIDGETS}?limit=5&access_token=${jwt}`);
    expect(both.status).toBe(401);
  });

  it("answers 403 insufficient_scope when the token lacks the operation's scope", async () => {
    const readOnly = await token({ key, scope: 'widgets:read' });
    const res = await fetch(`${gw.url}${WIDGETS}`, {
      method: 'POST',
      headers: { ...bearer(readOnly), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="widgets:write"/);
    expect(await res.json()).toMatchObject({ type: '/problems/forbidden', status: 403, requiredScopes: ['widgets:write'] });
  });

  it('reads scopes from an scp array as well as from scope', async () => {
    const jwt = await token({ key, claims: { scp: ['widgets:read', 'widgets:write'] } });
    const res = await fetch(`${gw.url}${WIDGETS}`, {
      method: 'POST',
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'from scp' }),
    });
    expect(res.status).toBe(201);
  });
});

describe('JWKS refetching', () => {
  it('accepts a key added to the JWKS after one refetch, once the cooldown has passed', async () => {
    const first = await makeKey('ES256');
    const jwks = await startJwks([first]);
    const gw = await startGateway(jwks.url, { AUTH_JWKS_COOLDOWN_MS: '300' });
    try {
      expect((await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(await token({ key: first, scope: 'widgets:read' })) })).status).toBe(
        200,
      );
      expect(jwks.fetches).toBe(1);
      const rotated = await makeKey('RS256');
      jwks.publish(rotated);
      await new Promise((r) => setTimeout(r, 400)); // let the cooldown pass; no timing is asserted
      const res = await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(await token({ key: rotated, scope: 'widgets:read' })) });
      expect(res.status).toBe(200);
      expect(jwks.fetches).toBe(2);
    } finally {
      await gw.close();
      await jwks.close();
    }
  });

  it('fetches at most once per cooldown during a flood of unknown kids', async () => {
    const known = await makeKey('ES256');
    const jwks = await startJwks([known]);
    const gw = await startGateway(jwks.url, { AUTH_JWKS_COOLDOWN_MS: '60000' });
    try {
      expect((await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(await token({ key: known, scope: 'widgets:read' })) })).status).toBe(
        200,
      );
      expect(jwks.fetches).toBe(1);
      const strangers = await Promise.all(Array.from({ length: 25 }, () => makeKey('ES256')));
      const answers = await Promise.all(
        strangers.map(
          async (k) => (await fetch(`${gw.url}${WIDGETS}`, { headers: bearer(await token({ key: k, scope: 'widgets:read' })) })).status,
        ),
      );
      expect(answers.every((s) => s === 401)).toBe(true);
      expect(jwks.fetches).toBe(1);
    } finally {
      await gw.close();
      await jwks.close();
    }
  });

  it('answers 503 within the timeout, not a hang, when the JWKS never answers', async () => {
    const key = await makeKey('ES256');
    const jwks = await startJwks([key]);
    jwks.hang = true;
    const gw = await startGateway(jwks.url, { AUTH_JWKS_TIMEOUT_MS: '500' });
    try {
      // The test's own abort is far beyond the configured timeout: only a hang would trip it.
      const res = await fetch(`${gw.url}${WIDGETS}`, {
        headers: bearer(await token({ key, scope: 'widgets:read' })),
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
      expect(jwks.fetches).toBeGreaterThanOrEqual(1);
    } finally {
      await gw.close();
      await jwks.close();
    }
  });
});
