// Client-credentials tokens: caching, early refresh, single flight, both client auth styles.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientCredentialsToken } from './oauth.js';
import { CLIENT_ID, CLIENT_SECRET } from '../../test/support/fixture-platform.js';
import { problemOf, startVendor, type Vendor } from '../../test/support/platform-client.js';

let vendor: Vendor;
beforeAll(async () => {
  vendor = await startVendor();
});
afterAll(() => vendor.running.close());
afterEach(() => vendor.sandbox.reset('small'));

const tokenFor = (overrides: Partial<ConstructorParameters<typeof ClientCredentialsToken>[0]> = {}) =>
  new ClientCredentialsToken({
    tokenUrl: `${vendor.running.url}/oauth/token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    timeoutMs: 1_000,
    platform: 'crm',
    ...overrides,
  });

describe('ClientCredentialsToken', () => {
  it('fetches once for concurrent callers and caches the token', async () => {
    const token = tokenFor({ scope: 'api' });
    const headers = await Promise.all([token.header(), token.header(), token.header()]);
    expect(new Set(headers.map((h) => h.Authorization)).size).toBe(1);
    expect(headers[0].Authorization).toMatch(/^Bearer tok_1_/);
    await token.header();
    expect(vendor.state().tokenFetches).toBe(1);
    expect(vendor.state().lastTokenRequest?.form).toMatchObject({ grant_type: 'client_credentials', scope: 'api', client_id: CLIENT_ID });
    expect(token.fields()).toMatchObject({ instance_url: vendor.running.url, token_type: 'Bearer' });
    expect(token.fields()).not.toHaveProperty('access_token');
  });

  it('refetches when forced', async () => {
    const token = tokenFor();
    const first = await token.header();
    const second = await token.header(true);
    expect(second.Authorization).not.toBe(first.Authorization);
    expect(vendor.state().tokenFetches).toBe(2);
  });

  it('refreshes before the announced expiry', async () => {
    vendor.state().expiresIn = 1;
    const token = tokenFor();
    await token.header();
    await new Promise((r) => setTimeout(r, 850)); // past 80% of the 1 s lifetime
    await token.header();
    expect(vendor.state().tokenFetches).toBe(2);
  });

  it('authenticates with HTTP Basic when configured', async () => {
    const token = tokenFor({ auth: 'basic' });
    await token.header();
    expect(vendor.state().lastTokenRequest?.authorization).toMatch(/^Basic /);
    expect(vendor.state().lastTokenRequest?.form).not.toHaveProperty('client_secret');
  });

  it('reports an unreachable or failing token endpoint as 503/504 problems', async () => {
    vendor.sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 503 });
    expect((await problemOf(tokenFor().header())).type).toBe('upstream-unavailable');
    vendor.sandbox.ctx.faults.set({ errorRate: 0, hangRate: 1 });
    expect((await problemOf(tokenFor({ timeoutMs: 200 }).header())).type).toBe('upstream-timeout');
    vendor.sandbox.ctx.faults.clear();
  });

  it('sends the grant again when the connection is reset before an answer, and gives up after three', async () => {
    // A token endpoint that drops the first `resets` connections without answering, as a pooled
    // socket closed by the server under load does.
    let requests = 0;
    let resets = 1;
    const assertions: string[] = [];
    const server = createServer(async (req, res) => {
      requests += 1;
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const assertion = new URLSearchParams(body).get('client_assertion');
      if (assertion) assertions.push(assertion);
      if (requests <= resets) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'tok_after_reset', token_type: 'Bearer', expires_in: 600 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
    try {
      expect((await tokenFor({ tokenUrl }).header()).Authorization, 'token after one reset').toBe('Bearer tok_after_reset');
      expect(requests, 'grant requests after one reset').toBe(2);
      requests = 0;
      resets = 5;
      expect((await problemOf(tokenFor({ tokenUrl }).header())).type, 'after three resets').toBe('upstream-unavailable');
      expect(requests, 'grant requests when every connection is reset').toBe(3);
      // A client assertion is single use (its jti): every attempt carries a newly signed one.
      requests = 0;
      resets = 1;
      let signed = 0;
      const header = await tokenFor({ tokenUrl, clientAssertion: async () => `assertion-${++signed}` }).header();
      expect(header.Authorization, 'token after one reset, with an assertion').toBe('Bearer tok_after_reset');
      expect(assertions, 'assertions sent, one per attempt').toEqual(['assertion-1', 'assertion-2']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
