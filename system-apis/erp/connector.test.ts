// The NetSuite connector against the ERP sandbox over real HTTP, including the faults a
// real account produces: 5xx, 429 with Retry-After, malformed, oversized, slow and
// redirecting answers, a refused login — and the assertion or the token never in an error or a log line.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { erpSandbox, SANDBOX_ERP_CLIENT_ID, type ErpState } from '../../sandboxes/erp/index.js';
import { devM2m, newKeyPair } from '../../test/support/netsuite-m2m.js';
import { capturingLogger, problemOf } from '../../test/support/platform-client.js';
import { ErpConnector, type ErpConnectorOptions } from './connector.js';
import type { NsCustomer, NsInvoice } from './vendor-types.js';

let sandbox: SandboxApp<ErpState>;
let running: RunningSandbox;
const calls: number[] = [];
const connectors: ErpConnector[] = [];

function connector(overrides: Partial<ErpConnectorOptions> = {}): ErpConnector {
  const c = new ErpConnector({
    baseUrl: running.url,
    clientId: SANDBOX_ERP_CLIENT_ID,
    m2m: devM2m(),
    timeoutMs: 1_000,
    client: {
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { consecutiveFailures: 50 },
      onCall: (_p, _m, status) => void calls.push(status),
    },
    ...overrides,
  });
  connectors.push(c);
  return c;
}

beforeAll(async () => {
  sandbox = createSandboxApp(erpSandbox);
  running = await listen(sandbox.app);
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await running.close();
});
beforeEach(() => {
  sandbox.reset('small');
  sandbox.ctx.faults.clear();
  calls.length = 0;
});

describe('ERP connector: records', () => {
  it('creates, reads, upserts by external id, updates and deletes', async () => {
    const erp = connector();
    const id = await erp.createRecord('customer', { companyName: 'Globex Ltd', subsidiary: { id: '1' } });
    expect(id).toMatch(/^\d+$/);
    expect((await erp.getRecord<NsCustomer>('customer', id))?.companyName).toBe('Globex Ltd');
    const upserted = await erp.upsertRecord('customer', '0190f0aa-0000-7000-8000-00000000abcd', {
      companyName: 'Initech Inc.',
      subsidiary: { id: '3' },
    });
    expect(await erp.upsertRecord('customer', '0190f0aa-0000-7000-8000-00000000abcd', { email: 'ap@initech.example' })).toBe(upserted);
    expect((await erp.getRecord<NsCustomer>('customer', 'eid:0190f0aa-0000-7000-8000-00000000abcd'))?.email).toBe('ap@initech.example');
    await erp.updateRecord('customer', id, { email: 'x@globex.example' });
    await erp.deleteRecord('customer', id);
    expect(await erp.getRecord('customer', id)).toBeUndefined();
  });

  it('reads invoices with their lines expanded and approves by the approval status field', async () => {
    const erp = connector();
    const pending = [...sandbox.ctx.state().records.invoice.values()].find((i) => i.status.id === 'D')!;
    await erp.approveInvoice(pending.id);
    const invoice = await erp.getRecord<NsInvoice>('invoice', pending.id);
    expect(invoice?.status.refName).toBe('Open');
    expect(invoice?.approvalStatus).toEqual({ id: '2', refName: 'Approved' });
    expect(invoice?.item.items.length).toBeGreaterThan(0);
    // Sending it again changes nothing (an absolute value); an approved invoice has posted and stays approved.
    await erp.approveInvoice(pending.id);
    const refused = await problemOf(erp.updateRecord('invoice', pending.id, { approvalStatus: { id: '1' } }));
    expect(refused.status).toBe(422);
    expect(refused.detail).toMatch(/no longer pending approval/);
  });

  it('logs in with a fresh assertion as NetSuite documents it: kid, iss, aud, scope, at most an hour', async () => {
    const assertions: string[] = [];
    const { default: express } = await import('express');
    const app = express();
    app.post('/services/rest/auth/oauth2/v1/token', express.urlencoded({ extended: false }), (req, res) => {
      expect(req.body).toMatchObject({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      });
      expect(req.body).not.toHaveProperty('client_secret');
      assertions.push(String(req.body.client_assertion));
      res.json({ access_token: `t${assertions.length}`, token_type: 'bearer', expires_in: '3600' });
    });
    app.get('/services/rest/record/v1/customer/:id', (_req, res) => void res.status(401).json({}));
    const stand = await listen(app);
    try {
      const erp = connector({ baseUrl: stand.url, client: { maxAttempts: 1 } });
      await problemOf(erp.getRecord('customer', '1')); // 401 once, then a new token: two assertions
      expect(assertions).toHaveLength(2);
      expect(assertions[0]).not.toBe(assertions[1]);
      expect(decodeProtectedHeader(assertions[0]!)).toEqual({ alg: 'ES256', typ: 'JWT', kid: devM2m().certificateId });
      const claims = decodeJwt(assertions[0]!);
      expect(claims).toMatchObject({
        iss: SANDBOX_ERP_CLIENT_ID,
        aud: `${stand.url}/services/rest/auth/oauth2/v1/token`,
        // One comma-separated string, as NetSuite documents the claim; never an array.
        scope: 'rest_webservices',
      });
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
      expect(claims.exp! - claims.iat!).toBeGreaterThan(0);
    } finally {
      await stand.close();
    }
  });

  it('signs with PS256 and an RSA key mapped to the integration', async () => {
    const { privateKey, publicKeyPem } = newKeyPair('PS256');
    const mapped = await fetch(`${running.url}/_sandbox/m2m/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: SANDBOX_ERP_CLIENT_ID, publicKey: publicKeyPem, certificateId: 'rsa-cert' }),
    });
    expect(mapped.status).toBe(201);
    const erp = connector({ m2m: { certificateId: 'rsa-cert', privateKey, algorithm: 'PS256' } });
    expect((await erp.getRecord<NsCustomer>('customer', '101'))?.id).toBe('101');
  });

  it('fetches a new token once when NetSuite stops accepting the cached one', async () => {
    const erp = connector();
    await erp.getRecord('customer', '101');
    sandbox.ctx.state().tokens.clear(); // revoked or expired early
    calls.length = 0;
    expect((await erp.getRecord<NsCustomer>('customer', '101'))?.id).toBe('101');
    expect(calls).toEqual([401, 200]);
  });

  it('maps NetSuite errors to problem details with the vendor detail and code', async () => {
    const erp = connector();
    const problem = await problemOf(erp.createRecord('customer', { subsidiary: { id: '1' } }));
    expect(problem.status).toBe(422);
    expect(problem.detail).toMatch(/^ERP: Please enter value\(s\) for: companyName/);
    expect(problem.extensions).toMatchObject({ platform: 'erp', upstreamStatus: 400, upstreamCode: 'USER_ERROR' });
    expect((await problemOf(erp.approveInvoice('999999'))).status).toBe(404);
  });

  it('pages SuiteQL until hasMore is false', async () => {
    sandbox.reset('large');
    const erp = connector();
    const rows = await erp.queryAll<{ id: string }>('SELECT id FROM job ORDER BY id');
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2000);
    expect(rows[0]).toEqual({ id: expect.any(String) });
    const page = await erp.listRecords('job', { limit: 10, offset: 1990 });
    expect(page).toMatchObject({ count: 10, hasMore: false, totalResults: 2000 });
  });
});

describe('ERP connector: upsert race', () => {
  it('sends an upsert refused as a duplicate once more when the record now exists', async () => {
    // A stand-in account where a concurrent upsert created the record first.
    const { default: express } = await import('express');
    const app = express();
    let puts = 0;
    app.post(
      '/services/rest/auth/oauth2/v1/token',
      (_req, res) => void res.json({ access_token: 't', token_type: 'bearer', expires_in: 3600 }),
    );
    app.put('/services/rest/record/v1/customer/:key', (_req, res) => {
      puts += 1;
      if (puts === 1)
        return void res.status(400).json({
          type: 'x',
          title: 'Bad Request',
          status: 400,
          'o:errorDetails': [{ detail: 'duplicate external id', 'o:errorCode': 'DUP_RCRD' }],
        });
      res.status(204).location('/services/rest/record/v1/customer/777').end();
    });
    app.get('/services/rest/record/v1/customer/:key', (_req, res) => void res.json({ id: '777', companyName: 'Raced Ltd' }));
    const stand = await listen(app);
    try {
      const erp = connector({ baseUrl: stand.url });
      expect(await erp.upsertRecord('customer', 'ext-1', { companyName: 'Raced Ltd' })).toBe('777');
      expect(puts).toBe(2);
    } finally {
      await stand.close();
    }
  });
});

describe('ERP connector: unsafe consumption and resilience', () => {
  const records = { paths: '/services/rest/record' };

  it('retries a GET on 5xx and gives 502 after the last attempt; never retries a create', async () => {
    const erp = connector();
    sandbox.ctx.faults.set({ ...records, errorRate: 1, errorStatus: 500 });
    const read = await problemOf(erp.getRecord('customer', '101'));
    expect(read.status).toBe(502);
    expect(read.extensions.platform).toBe('erp');
    expect(calls.filter((s) => s === 500)).toHaveLength(3);
    calls.length = 0;
    const create = await problemOf(erp.createRecord('customer', { companyName: 'X', subsidiary: { id: '1' } }));
    expect(create.status).toBe(502);
    expect(calls.filter((s) => s === 500)).toHaveLength(1);
  });

  it('honours 429 Retry-After and then succeeds', async () => {
    const erp = connector();
    await erp.getRecord('customer', '101'); // token fetched outside the limited window
    calls.length = 0;
    sandbox.ctx.faults.set({ ...records, rateLimitBurst: { remaining: 0, retryAfterSeconds: 1 } });
    const customer = await erp.getRecord<NsCustomer>('customer', '101');
    expect(customer?.id).toBe('101');
    expect(calls[0]).toBe(429);
    expect(calls[calls.length - 1]).toBe(200);
  });

  it('gives 503 with Retry-After during an outage longer than it will wait', async () => {
    const erp = connector({ client: { maxRetryAfterMs: 100, backoff: { baseMs: 5, capMs: 20 } } });
    sandbox.ctx.faults.set({ ...records, outageUntil: new Date(Date.now() + 60_000).toISOString() });
    const problem = await problemOf(erp.getRecord('customer', '101'));
    expect(problem.status).toBe(503);
    expect(Number(problem.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('turns malformed, redirecting and oversized answers into 502, slow ones into 504', async () => {
    const erp = connector({ client: { maxAttempts: 1, maxResponseBytes: 256 * 1024 } });
    sandbox.ctx.faults.set({ ...records, malformedRate: 1 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(502);
    sandbox.ctx.faults.set({ malformedRate: 0, redirectRate: 1 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(502);
    sandbox.ctx.faults.set({ redirectRate: 0, oversizedRate: 1, oversizedBytes: 1024 * 1024 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(502);
    sandbox.ctx.faults.set({ oversizedRate: 0, slowBodyRate: 1 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(504);
    sandbox.ctx.faults.set({ slowBodyRate: 0, hangRate: 1 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(504);
  });

  it('answers 200 with a body of the wrong shape as 502, not a crash', async () => {
    const erp = connector();
    sandbox.ctx.faults.set({ ...records, errorRate: 1, errorStatus: 200 });
    expect((await problemOf(erp.getRecord('customer', '101'))).status).toBe(502);
    expect((await problemOf(erp.listRecords('customer', { limit: 5, offset: 0 }))).status).toBe(502);
  });

  it('never puts the assertion, the key or the token in an error or a log line', async () => {
    const { logger, lines } = capturingLogger();
    const good = connector({ logger });
    sandbox.ctx.faults.set({ ...records, errorRate: 1, errorStatus: 500 });
    const upstream = await problemOf(good.getRecord('customer', '101'));
    // A key the sandbox never saw: its assertion is refused (invalid_client).
    const bad = connector({ logger, m2m: { ...devM2m(), privateKey: newKeyPair('ES256').privateKey } });
    const refused = await problemOf(bad.getRecord('customer', '101'));
    expect(refused.status).toBe(502);
    expect(refused.detail).toMatch(/refused/);
    const secret = devM2m().privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const issued = [...sandbox.ctx.state().tokens.keys()];
    expect(issued.length).toBeGreaterThan(0);
    const everything = [
      JSON.stringify({ ...upstream, detail: upstream.detail, headers: upstream.headers, extensions: upstream.extensions }),
      JSON.stringify({ ...refused, detail: refused.detail, extensions: refused.extensions }),
      upstream.message,
      refused.message,
      ...lines,
    ].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/); // no JWT (an assertion) anywhere
    for (const token of issued) expect(everything).not.toContain(token);
  });
});
