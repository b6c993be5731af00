// The gateway's own routes: health and readiness on each store engine, metrics (scope or
// separate port), published specs and docs, problem types, request logs, and the
// development key with `npm run token`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { testEngines } from '../support/stores.js';
import { bearer, type Json, makeKey, startGateway, startJwks, token, type SigningKey, type TestGateway, type TestJwks } from './support.js';

const run = promisify(execFile);

describe('operations endpoints', () => {
  let key: SigningKey;
  let jwks: TestJwks;
  let gw: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    key = await makeKey();
    jwks = await startJwks([key]);
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    gw = await startGateway(jwks.url, {}, { layers: { infra: { logger: pino({ level: 'info' }, sink) } } });
  });
  afterAll(async () => {
    await gw?.close();
    await jwks?.close();
  });

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('serves /metrics only with ops:read, labelled by route template and consumer', async () => {
    const jwt = await token({ key, scope: 'widgets:read', clientId: 'metrics-probe' });
    await fetch(`${gw.url}/system/widgets/v3/widgets/w-1`, { headers: bearer(jwt) });
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
    const noScope = await fetch(`${gw.url}/metrics`, { headers: bearer(jwt) });
    expect(noScope.status).toBe(403);
    const res = await fetch(`${gw.url}/metrics`, { headers: bearer(await token({ key, scope: 'ops:read' })) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/system\/widgets\/v3\/widgets\/\{widgetId\}",status="200",consumer="metrics-probe"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/system\/widgets\/v3\/widgets\/\{widgetId\}"/,
    );
    expect(text).not.toContain('/widgets/w-1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('writes one log line per request with ids, consumer, route template, status and duration, never the token', async () => {
    const jwt = await token({ key, scope: 'widgets:read', clientId: 'log-probe' });
    const res = await fetch(`${gw.url}/system/widgets/v3/widgets/w-1?x=1`, {
      headers: { ...bearer(jwt), 'X-Request-Id': 'log-line-check-1' },
    });
    expect(res.status).toBe(400); // unknown query parameter
    const line = logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'log-line-check-1' && l.msg === 'request');
    expect(line).toMatchObject({ consumer: 'log-probe', method: 'GET', route: '/system/widgets/v3/widgets/{widgetId}', status: 400 });
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof line.durationMs).toBe('number');
    expect(logLines.join('\n')).not.toContain(jwt.split('.')[2]);
  });

  it('publishes each bundled contract as YAML and JSON', async () => {
    const yamlRes = await fetch(`${gw.url}/specs/system/widgets/v3.yaml`);
    expect(yamlRes.status).toBe(200);
    expect(yamlRes.headers.get('content-type')).toMatch(/^application\/yaml/);
    const doc = parseYaml(await yamlRes.text());
    expect(doc.info).toMatchObject({ title: 'Widgets test API', version: '3.0.0' });
    const jsonRes = await fetch(`${gw.url}/specs/system/widgets/v3.json`);
    expect(jsonRes.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await jsonRes.json()).toEqual(doc);
    expect((await fetch(`${gw.url}/specs/system/widgets/v7.json`)).status).toBe(404);
    expect((await fetch(`${gw.url}/specs/gateway/gateway/v1.yaml`)).status).toBe(200);
  });

  it('serves the docs index linking every contract', async () => {
    const res = await fetch(`${gw.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const v of [1, 2, 3]) expect(html).toContain(`href="/docs/system/widgets/v${v}"`);
    expect(html).toContain('href="/docs/gateway/gateway/v1"');
  });

  it('documents every problem type, as JSON or HTML', async () => {
    const res = await fetch(`${gw.url}/problems/rate-limited`);
    expect(await res.json()).toMatchObject({ type: '/problems/rate-limited', status: 429, title: 'Too many requests' });
    const html = await fetch(`${gw.url}/problems/gone`, { headers: { Accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${gw.url}/problems/no-such-thing`)).status).toBe(404);
  });
});

describe('HTML docs per contract', () => {
  it('builds docs once per contract and serves them with a docs-specific CSP', async () => {
    let builds = 0;
    const gw = await startGateway(
      undefined,
      {},
      {
        buildDocs: async (contract) => {
          builds += 1;
          return `<!DOCTYPE html><html><body><h1>${contract.title}</h1><script>/* inline */</script></body></html>`;
        },
      },
    );
    try {
      const first = await fetch(`${gw.url}/docs/system/widgets/v3`);
      expect(first.status).toBe(200);
      expect(await first.text()).toContain('Widgets test API');
      expect(first.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
      await fetch(`${gw.url}/docs/system/widgets/v3`);
      expect(builds).toBe(1);
      expect((await fetch(`${gw.url}/docs/system/widgets/v8`)).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});

describe('metrics on a separate port', () => {
  it('serves /metrics without a token on METRICS_PORT and not on the main port', async () => {
    const key = await makeKey();
    const jwks = await startJwks([key]);
    const gw = await startGateway(jwks.url, { METRICS_PORT: '0' });
    try {
      expect(gw.metricsUrl).toBeDefined();
      const res = await fetch(gw.metricsUrl!);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('http_requests_total');
      const main = await fetch(`${gw.url}/metrics`, { headers: bearer(await token({ key, scope: 'ops:read' })) });
      expect(main.status).toBe(404);
    } finally {
      await gw.close();
      await jwks.close();
    }
  });
});

describe('readiness on each store engine', () => {
  const engines = testEngines();
  afterAll(async () => {
    for (const engine of engines) await engine.cleanup();
  });
  for (const engine of engines) {
    it(`is ready on ${engine.name}`, async () => {
      const gw = await startGateway(undefined, { DATABASE_URL: await engine.freshUrl() });
      try {
        const res = await fetch(`${gw.url}/readyz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ready', checks: [expect.objectContaining({ name: 'store', status: 'up' })] });
      } finally {
        await gw.close();
      }
    });
  }
});

describe('development key and npm run token', () => {
  it('makes the key once (mode 0600), serves its JWKS, and accepts tokens minted by the script', async () => {
    const varDir = mkdtempSync(join(tmpdir(), 'ps-gw-devkey-'));
    const gw = await startGateway(undefined, { VAR_DIR: varDir });
    try {
      const keyFile = join(varDir, 'dev-keys', 'signing-key.jwk.json');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const published = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as Json;
      expect(published.keys).toHaveLength(1);
      expect(published.keys[0].d).toBeUndefined();
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'scripts/token.ts', '--scope', 'widgets:read', '--client-id', 'cli-test'],
        {
          env: { ...process.env, NODE_ENV: 'development', VAR_DIR: varDir, AUTH_AUDIENCE: gw.config.gateway.auth.audience },
        },
      );
      const jwt = stdout.trim();
      const res = await fetch(`${gw.url}/system/widgets/v3/widgets`, { headers: bearer(jwt) });
      expect(res.status).toBe(200);
      const [, payload] = jwt.split('.');
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
        iss: gw.config.gateway.auth.issuer,
        client_id: 'cli-test',
        scope: 'widgets:read',
      });
      expect(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid).toBe(published.keys[0].kid);
    } finally {
      await gw.close();
      rmSync(varDir, { recursive: true, force: true });
    }
  });
});

describe('HTML docs built by redocly', () => {
  it('serves self-contained docs for a fixture contract', async () => {
    const gw = await startGateway(undefined);
    try {
      const res = await fetch(`${gw.url}/docs/system/widgets/v3`, { signal: AbortSignal.timeout(90_000) });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toMatch(/^\s*<!DOCTYPE html>/i);
      expect(html).toContain('Widgets test API');
      expect(html).not.toMatch(/<script[^>]+src=["']?https?:/i);
    } finally {
      await gw.close();
    }
  }, 120_000);
});
