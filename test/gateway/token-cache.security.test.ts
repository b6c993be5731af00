// The gateway's cache of verified tokens, over real HTTP: a cached token stops at its exp, stops
// once a JWKS refetch no longer lists its key, is never a shortcut for a token with another
// signature, and the cache holds no more entries than configured.
import { afterEach, describe, expect, it } from 'vitest';
import type { Counter, Gauge } from 'prom-client';
import { waitFor } from '../support/wait-for.js';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const WIDGETS = '/system/widgets/v3/widgets';

async function valueOf(metric: Counter | Gauge, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

/** Same header and payload, signed by another key: what an attacker holding a cached token's text could send. */
async function resignedWith(jwt: string, attacker: SigningKey): Promise<string> {
  const [header, payload] = jwt.split('.');
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    attacker.privateKey,
    new TextEncoder().encode(`${header}.${payload}`),
  );
  return `${header}.${payload}.${Buffer.from(signature).toString('base64url')}`;
}

describe('cache of verified tokens', () => {
  let jwks: TestJwks | undefined;
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    await jwks?.close();
    gw = undefined;
    jwks = undefined;
  });

  const status = async (jwt: string) => (await fetch(`${gw!.url}${WIDGETS}`, { headers: bearer(jwt) })).status;

  it('serves a token from the cache until its exp, and refuses it from then on', async () => {
    const key = await makeKey('ES256');
    jwks = await startJwks([key]);
    // No clock tolerance: the token is refused the second its exp is reached.
    gw = await startGateway(jwks.url, { AUTH_CLOCK_TOLERANCE_S: '0' });
    const cache = gw.metrics.tokenCache;
    const jwt = await token({ key, scope: 'widgets:read', expiresIn: 2 });
    const exp = (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
    expect(await status(jwt), 'first use: verified in full').toBe(200);
    expect(await status(jwt), 'second use: from the cache').toBe(200);
    expect(await valueOf(cache.hits), 'the second use was a cache hit').toBe(1);
    await waitFor(() => Date.now() >= exp * 1000, { what: "the token's exp to pass" });
    expect(await status(jwt), 'the cached token after its exp').toBe(401);
    expect(await valueOf(cache.evictions, { reason: 'expired' }), 'the entry was dropped as expired').toBe(1);
  });

  it("stops a cached token once a JWKS refetch no longer lists its key, and keeps the other keys' tokens", async () => {
    const kept = await makeKey('ES256');
    const revoked = await makeKey('ES256');
    jwks = await startJwks([kept, revoked]);
    gw = await startGateway(jwks.url, { AUTH_JWKS_MAX_AGE_MS: '500', AUTH_CLOCK_TOLERANCE_S: '0' });
    const byKept = await token({ key: kept, scope: 'widgets:read' });
    const byRevoked = await token({ key: revoked, scope: 'widgets:read' });
    expect(await status(byKept), 'token of the key that stays').toBe(200);
    expect(await status(byRevoked), 'token of the key about to be withdrawn').toBe(200);
    expect(await status(byRevoked), 'the same token again, from the cache').toBe(200);
    const fetchesBefore = jwks.fetches;
    jwks.withdraw(revoked);
    // The key set is refetched when older than its maximum age; from that refetch on the token is refused.
    await waitFor(() => status(byRevoked), { until: (s) => s === 401, what: "the withdrawn key's token to be refused", intervalMs: 100 });
    expect(jwks.fetches, 'the refusal came with a refetch of the key set').toBeGreaterThan(fetchesBefore);
    expect(await valueOf(gw.metrics.tokenCache.evictions, { reason: 'key-removed' }), 'its entry was dropped').toBeGreaterThanOrEqual(1);
    expect(await status(byRevoked), 'and it stays refused').toBe(401);
    expect(await status(byKept), 'a token of a key still listed works on').toBe(200);
  });

  it('never accepts a token with the same header and payload as a cached one but another signature', async () => {
    const key = await makeKey('ES256');
    const attacker = await makeKey('ES256');
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url);
    const jwt = await token({ key, scope: 'widgets:read' });
    const forged = await resignedWith(jwt, attacker);
    expect(forged.split('.').slice(0, 2), 'the forgery shares header and payload').toEqual(jwt.split('.').slice(0, 2));
    expect(forged, 'but not the signature').not.toBe(jwt);
    expect(await status(jwt), 'the genuine token, now cached').toBe(200);
    expect(await status(forged), 'the forgery while the genuine token is cached').toBe(401);
    expect(await status(forged), 'the forgery again').toBe(401);
    expect(await status(jwt), 'the genuine token still works').toBe(200);
  });

  it('holds no more tokens than AUTH_TOKEN_CACHE_MAX, dropping the least recently used', async () => {
    const key = await makeKey('ES256');
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url, { AUTH_TOKEN_CACHE_MAX: '2' });
    const cache = gw.metrics.tokenCache;
    const tokens = await Promise.all(['a', 'b', 'c'].map((sub) => token({ key, scope: 'widgets:read', sub })));
    for (const jwt of tokens) expect(await status(jwt), 'each token is accepted').toBe(200);
    expect(await valueOf(cache.size), 'entries held').toBe(2);
    expect(await valueOf(cache.evictions, { reason: 'capacity' }), 'the first token made room').toBe(1);
    const misses = await valueOf(cache.misses);
    expect(await status(tokens[0]), 'the dropped token still works').toBe(200);
    expect(await valueOf(cache.misses), 'but it was verified afresh').toBe(misses + 1);
    expect(await valueOf(cache.size), 'and the bound still holds').toBe(2);
    expect(await status(tokens[2]), 'the most recent token').toBe(200);
    expect(await valueOf(cache.hits), 'was served from the cache').toBe(1);
  });
});
