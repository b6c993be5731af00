// Problem details for every error the pipeline can raise, request ids and trace context,
// and no internals in production.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const WIDGETS = '/system/widgets/v3/widgets';

async function expectProblem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `/problems/${type}`, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack frames
  return body;
}

/** Sends a chunked body with no Content-Length, so only the streaming parser can enforce the limit. */
function postChunked(
  url: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('errors, request ids and trace context', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;
  let reader: Record<string, string>;
  let writer: Record<string, string>;

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    gw = await startGateway(jwks.url, { BODY_LIMIT_BYTES: '2048' });
    reader = bearer(await token({ key, scope: 'widgets:read' }));
    writer = { ...bearer(await token({ key, scope: 'widgets:read widgets:write' })), 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  it('answers an unknown route with 404, and an unknown path inside an API with 404', async () => {
    await expectProblem(await fetch(`${gw.url}/nowhere`, { headers: reader }), 404, 'not-found');
    await expectProblem(await fetch(`${gw.url}/system/widgets/v3/gadgets`, { headers: reader }), 404, 'not-found');
    await expectProblem(await fetch(`${gw.url}/system/unknown-api/v1/things`, { headers: reader }), 404, 'not-found');
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await fetch(`${gw.url}${WIDGETS}`, { method: 'DELETE', headers: writer });
    await expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['GET', 'POST']);
    const own = await fetch(`${gw.url}/healthz`, { method: 'POST' });
    await expectProblem(own, 405, 'method-not-allowed');
    expect(own.headers.get('allow')).toMatch(/GET/);
  });

  it('answers malformed JSON with 400', async () => {
    const body = await expectProblem(
      await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers: writer, body: '{"name": "oops",' }),
      400,
      'malformed-json',
    );
    expect(body.detail).not.toContain('Unexpected'); // the parser's message is not echoed
  });

  it('answers a body that breaks the contract with 400 and a pointer per field', async () => {
    const body = await expectProblem(
      await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers: writer, body: JSON.stringify({ name: '', colour: 'red' }) }),
      400,
      'validation-failed',
    );
    const pointers = (body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toContain('/body/name');
    await expectProblem(await fetch(`${gw.url}${WIDGETS}?limit=1000`, { headers: reader }), 400, 'validation-failed');
  });

  it('answers a body over the limit with 413, declared or chunked', async () => {
    const big = JSON.stringify({ name: 'x', note: 'y'.repeat(5000) });
    await expectProblem(await fetch(`${gw.url}${WIDGETS}`, { method: 'POST', headers: writer, body: big }), 413, 'payload-too-large');
    const chunked = await postChunked(`${gw.url}${WIDGETS}`, writer, [big.slice(0, 1500), big.slice(1500)]);
    expect(chunked.status).toBe(413);
    expect(chunked.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(chunked.body)).toMatchObject({ type: '/problems/payload-too-large', status: 413 });
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await fetch(`${gw.url}${WIDGETS}`, {
      method: 'POST',
      headers: { ...writer, 'Content-Type': 'text/plain' },
      body: 'name=x',
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it("passes a handler's own problem through", async () => {
    await expectProblem(await fetch(`${gw.url}${WIDGETS}/w-999`, { headers: reader }), 404, 'not-found');
  });

  it('answers an unexpected error with a generic 500 that names the request id only', async () => {
    const body = await expectProblem(await fetch(`${gw.url}/system/widgets/v3/failures`, { headers: reader }), 500, 'internal');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('echoes a sane X-Request-Id and replaces one that is not', async () => {
    const kept = await fetch(`${gw.url}/healthz`, { headers: { 'X-Request-Id': 'caller-req_42.a:b' } });
    expect(kept.headers.get('x-request-id')).toBe('caller-req_42.a:b');
    for (const bad of ['x'.repeat(129), 'has space', 'semi;colon', '']) {
      const res = await fetch(`${gw.url}/healthz`, { headers: { 'X-Request-Id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("keeps a valid traceparent's trace id with a new span id, and ignores an invalid one", async () => {
    const inbound = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await fetch(`${gw.url}/healthz`, { headers: { traceparent: inbound } });
    expect(res.status).toBe(200);
    const out = res.headers.get('traceparent')!;
    expect(out).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(out.split('-')[2]).not.toBe('00f067aa0ba902b7');
    for (const invalid of [
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      'garbage',
    ]) {
      const r = await fetch(`${gw.url}/healthz`, { headers: { traceparent: invalid } });
      expect(r.status).toBe(200);
      const traceId = r.headers.get('traceparent')!.split('-')[1];
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(traceId).not.toBe(invalid.split('-')[1]?.toLowerCase());
    }
  });

  it('sends CORS headers to listed origins only, never reflecting others', async () => {
    const corsGw = await startGateway(jwks.url, { CORS_ORIGINS: 'https://portal.example.com' });
    try {
      const listed = await fetch(`${corsGw.url}/system/widgets/v3/widgets`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://portal.example.com', 'Access-Control-Request-Method': 'GET' },
      });
      expect(listed.status).toBe(204);
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
      const stranger = await fetch(`${corsGw.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await corsGw.close();
    }
  });
});

describe('production mode', () => {
  it('never includes internals or stack traces in a 500', async () => {
    const key = await makeKey();
    const jwks = await startJwks([key]);
    const gw = await startGateway(jwks.url, {
      NODE_ENV: 'production',
      CURSOR_SIGNING_KEY: 'test-cursor-key-of-at-least-32-characters',
      CRM_BASE_URL: 'https://crm.example.com',
      CRM_CLIENT_ID: 'id',
      CRM_CLIENT_SECRET: 'secret',
      CRM_WEBHOOK_SECRET: 'whsec',
      SCHEDULING_API_TOKEN: 'token',
      SCHEDULING_WEBHOOK_SECRET: 'whsec',
      TIME_ACCESS_TOKEN: 'token',
      TIME_ACCOUNT_ID: '1',
      TIME_WEBHOOK_SECRET: 'whsec',
      ERP_ACCOUNT_ID: 'acct',
      ERP_CLIENT_ID: 'id',
      ERP_WEBHOOK_SECRET: 'whsec',
    });
    try {
      const res = await fetch(`${gw.url}/system/widgets/v3/failures`, { headers: bearer(await token({ key, scope: 'widgets:read' })) });
      const body = await expectProblem(res, 500, 'internal');
      expect(Object.keys(body).sort()).toEqual(['detail', 'instance', 'requestId', 'status', 'title', 'type']);
      expect(JSON.stringify(body)).not.toMatch(/hunter2|stack|secret/);
      // The development JWKS route does not exist outside development.
      await expectProblem(await fetch(`${gw.url}/.well-known/jwks.json`), 404, 'not-found');
    } finally {
      await gw.close();
      await jwks.close();
    }
  });
});
