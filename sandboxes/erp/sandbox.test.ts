// The ERP sandbox through real HTTP: M2M login with a client assertion, record CRUD and upsert answers, list paging,
// NetSuite error bodies, invoices with lines, approval, payments and SuiteQL, webhooks.
import { createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createSandboxApp, listen, SeededRandom, type RunningSandbox, type SandboxApp } from '../kit/index.js';
import { erpSandbox, type ErpState } from './index.js';
import { seedErp } from './seed.js';
import {
  assertionForm,
  devPrivateKey,
  JWT_BEARER,
  m2mToken,
  newKeyPair,
  signAssertion,
  tokenRequest,
} from '../../test/support/netsuite-m2m.js';

let sandbox: SandboxApp<ErpState>;
let running: RunningSandbox;
let token: string;
const R = '/services/rest/record/v1';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary vendor JSON
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${running.url}${path}`, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const suiteql = (q: string, query = '') => call('POST', `/services/rest/query/v1/suiteql${query}`, { q }, { prefer: 'transient' });

const fetchToken = (form: Record<string, string>) => tokenRequest(running.url, form);
/** A token request with an assertion built from these overrides. */
const login = async (opts: Omit<Parameters<typeof signAssertion>[0], 'baseUrl'> = {}) =>
  fetchToken(assertionForm(await signAssertion({ baseUrl: running.url, ...opts })));

function idFromLocation(answer: Answer): string {
  const location = String(answer.headers.location);
  return location.slice(location.lastIndexOf('/') + 1);
}

beforeAll(async () => {
  sandbox = createSandboxApp(erpSandbox);
  running = await listen(sandbox.app);
  token = await m2mToken(running.url);
});
afterAll(() => running.close());
beforeEach(() => {
  sandbox.reset('small');
  sandbox.ctx.faults.clear();
  // Tokens live in state; reset swaps state, so keep ours valid.
  sandbox.ctx.state().tokens.set(token, { expiresAt: Date.now() + 3_600_000, scopes: ['rest_webservices'] });
});

describe('ERP sandbox: auth', () => {
  it('issues a 60-minute token for a client assertion signed by a mapped certificate', async () => {
    const ok = await login();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'bearer', expires_in: '3600', access_token: expect.stringMatching(/^\S{20,}$/) });
    const res = await call('GET', `${R}/customer/101`, undefined, { authorization: `Bearer ${ok.body.access_token}` });
    expect(res.status).toBe(200);
    // Several scopes: one string, separated by commas (spaces around them are tolerated).
    expect((await login({ claims: { scope: 'rest_webservices,suite_analytics' } })).status, 'comma-separated scopes').toBe(200);
    expect((await login({ claims: { scope: 'restlets, rest_webservices' } })).status, 'comma and space').toBe(200);
  });

  it('refuses a client id and secret, other grants and a missing assertion, as NetSuite does', async () => {
    const secret = await fetchToken({
      grant_type: 'client_credentials',
      client_id: 'sandbox-erp-client',
      client_secret: 'sandbox-erp-secret',
    });
    expect(secret).toEqual({ status: 400, body: { error: 'invalid_request' } });
    expect((await fetchToken({ grant_type: 'password' })).body).toEqual({ error: 'unsupported_grant_type' });
    expect((await fetchToken({ client_assertion_type: JWT_BEARER })).body).toEqual({ error: 'invalid_request' });
    const wrongType = await fetchToken({ ...assertionForm(await signAssertion({ baseUrl: running.url })), client_assertion_type: 'x' });
    expect(wrongType.body).toEqual({ error: 'invalid_request' });
    expect((await fetchToken(assertionForm('not-a-jwt'))).body).toEqual({ error: 'invalid_client' });
  });

  it('refuses assertions with a wrong kid, aud or iss, expired, too long-lived, from the future, or with another key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refusals = {
      kid: await login({ kid: 'no-such-certificate' }),
      aud: await login({ claims: { aud: 'https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token' } }),
      iss: await login({ claims: { iss: 'another-integration' } }),
      expired: await login({ claims: { iat: now - 4000, exp: now - 400 } }),
      overAnHour: await login({ claims: { iat: now, exp: now + 3601 } }),
      exactlyAnHour: await login({ claims: { iat: now, exp: now + 3600 } }),
      future: await login({ claims: { iat: now + 600, exp: now + 900 } }),
      noExp: await login({ claims: { exp: undefined } }),
      otherKey: await login({ key: newKeyPair('ES256').privateKey }),
      typ: await login({ typ: 'at+jwt' }),
    };
    for (const [what, answer] of Object.entries(refusals))
      expect({ what, ...answer }).toEqual({ what, status: 400, body: { error: 'invalid_client' } });
    const scopeRefusals = {
      unknownName: await login({ claims: { scope: 'restlets,everything' } }),
      missing: await login({ claims: { scope: undefined } }),
      // NetSuite documents a comma-separated string only; an array or a space-separated list is not that.
      array: await login({ claims: { scope: ['rest_webservices'] } }),
      spaceSeparated: await login({ claims: { scope: 'restlets rest_webservices' } }),
      emptyEntry: await login({ claims: { scope: 'rest_webservices,' } }),
    };
    for (const [what, answer] of Object.entries(scopeRefusals))
      expect({ what, ...answer }).toEqual({ what, status: 400, body: { error: 'invalid_scope' } });
  });

  it('refuses alg none, HS256 signed with the public key, and RS256, which NetSuite retired', async () => {
    const payload = { iss: 'sandbox-erp-client', aud: `${running.url}/services/rest/auth/oauth2/v1/token`, scope: 'rest_webservices' };
    const now = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${part({ alg: 'none', typ: 'JWT', kid: 'sandbox-erp-m2m-cert' })}.${part({ ...payload, iat: now, exp: now + 300 })}.`;
    expect((await fetchToken(assertionForm(unsigned))).body).toEqual({ error: 'invalid_client' });
    const publicPem = createPublicKey(devPrivateKey()).export({ type: 'spki', format: 'pem' }).toString();
    expect((await login({ alg: 'HS256', key: new TextEncoder().encode(publicPem) })).body).toEqual({ error: 'invalid_client' });
    const rsa = newKeyPair('PS256');
    await fetch(`${running.url}/_sandbox/m2m/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'sandbox-erp-client', publicKey: rsa.publicKeyPem, certificateId: 'rsa' }),
    });
    expect((await login({ alg: 'RS256', kid: 'rsa', key: rsa.privateKey })).body).toEqual({ error: 'invalid_client' });
    expect((await login({ alg: 'PS256', kid: 'rsa', key: rsa.privateKey })).status).toBe(200);
  });

  it('maps and revokes certificates through its own admin API, and signs a person in for the demo', async () => {
    const pair = newKeyPair('ES256');
    const mapped = await fetch(`${running.url}/_sandbox/m2m/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'new-integration', publicKey: pair.publicKeyPem }),
    });
    expect(mapped.status).toBe(201);
    const { certificateId } = (await mapped.json()) as { certificateId: string };
    const asNew = { kid: certificateId, key: pair.privateKey, claims: { iss: 'new-integration' } };
    expect((await login(asNew)).status).toBe(200);
    const listed = (await (await fetch(`${running.url}/_sandbox/m2m/certificates`)).json()) as { certificates: unknown[] };
    expect(listed.certificates).toContainEqual({ certificateId, clientId: 'new-integration', keyType: 'ec', revoked: false });
    expect((await fetch(`${running.url}/_sandbox/m2m/certificates/${certificateId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await login(asNew)).body).toEqual({ error: 'invalid_grant' });
    const bad = await fetch(`${running.url}/_sandbox/m2m/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'x', publicKey: 'not a key' }),
    });
    expect(bad.status).toBe(400);
    const session = (await (await fetch(`${running.url}/_sandbox/ui-session`, { method: 'POST' })).json()) as { access_token: string };
    expect((await call('GET', `${R}/customer/101`, undefined, { authorization: `Bearer ${session.access_token}` })).status).toBe(200);
  });

  it('answers REST calls with a token for SuiteAnalytics Connect only as unauthorised', async () => {
    const analytics = await login({ claims: { scope: 'suite_analytics' } });
    expect(analytics.status).toBe(200);
    const res = await call('GET', `${R}/customer/101`, undefined, { authorization: `Bearer ${analytics.body.access_token}` });
    expect(res.status).toBe(401);
  });

  it('answers record calls without a valid token with NetSuite’s 401 body', async () => {
    const res = await call('GET', `${R}/customer`, undefined, { authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', 'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }] });
    expect(res.body.type).toMatch(/^https:\/\/www\.rfc-editor\.org\/rfc\/rfc9110\.html#section-15\.5\.2$/);
  });
});

describe('ERP sandbox: records', () => {
  it('lists with limit/offset paging, hasMore, totalResults and links', async () => {
    const first = await call('GET', `${R}/subsidiary?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ count: 2, hasMore: true, offset: 0, totalResults: 3 });
    expect(first.body.items[0]).toEqual({ links: [{ rel: 'self', href: `${running.url}${R}/subsidiary/1` }], id: '1' });
    expect(first.body.links.find((l: { rel: string }) => l.rel === 'next').href).toBe(`${running.url}${R}/subsidiary?limit=2&offset=2`);
    const second = await call('GET', `${R}/subsidiary?limit=2&offset=2`);
    expect(second.body).toMatchObject({ count: 1, hasMore: false, offset: 2 });
    expect((await call('GET', `${R}/subsidiary?limit=0`)).body['o:errorDetails'][0]['o:errorQueryParam']).toBe('limit');
  });

  it('creates with 204 + Location, reads, updates with PATCH and deletes', async () => {
    const created = await call('POST', `${R}/customer`, {
      companyName: 'Globex Ltd',
      subsidiary: { id: '1' },
      url: 'https://globex.example',
    });
    expect(created.status).toBe(204);
    expect(created.headers.location).toMatch(new RegExp(`^${running.url}${R}/customer/\\d+$`));
    const id = idFromLocation(created);
    const read = await call('GET', `${R}/customer/${id}`);
    expect(read.body).toMatchObject({ id, companyName: 'Globex Ltd', entityId: `CUST-${id}`, currency: { id: '1', refName: 'GBP' } });
    expect(read.body.subsidiary).toMatchObject({ id: '1', refName: 'Northwind UK' });
    expect(read.body.subsidiary.links[0].href).toBe(`${running.url}${R}/subsidiary/1`);
    expect((await call('PATCH', `${R}/customer/${id}`, { email: 'ap@globex.example' })).status).toBe(204);
    expect((await call('GET', `${R}/customer/${id}`)).body.email).toBe('ap@globex.example');
    expect((await call('DELETE', `${R}/customer/${id}`)).status).toBe(204);
    const gone = await call('GET', `${R}/customer/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body['o:errorDetails'][0]['o:errorCode']).toBe('NONEXISTENT_ID');
  });

  it('upserts by external id: the same eid twice is one record', async () => {
    const first = await call('PUT', `${R}/customer/eid:client-42`, { companyName: 'Initech Inc.', subsidiary: { id: '3' } });
    expect(first.status).toBe(204);
    const second = await call('PUT', `${R}/customer/eid:client-42`, { companyName: 'Initech Inc.', email: 'ap@initech.example' });
    expect(second.status).toBe(204);
    expect(idFromLocation(second)).toBe(idFromLocation(first));
    const read = await call('GET', `${R}/customer/eid:client-42`);
    expect(read.body).toMatchObject({ externalId: 'client-42', email: 'ap@initech.example', currency: { id: '2' } });
    const duplicate = await call('POST', `${R}/customer`, { companyName: 'Initech', subsidiary: { id: '3' }, externalId: 'client-42' });
    expect(duplicate.status).toBe(400);
  });

  it('answers bad writes with o:errorDetails naming the field', async () => {
    const missing = await call('POST', `${R}/customer`, { subsidiary: { id: '1' } });
    expect(missing.status).toBe(400);
    expect(missing.body['o:errorDetails'][0]).toMatchObject({ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'companyName' });
    const badRef = await call('POST', `${R}/customer`, { companyName: 'X', subsidiary: { id: '999' } });
    expect(badRef.body['o:errorDetails'][0]['o:errorPath']).toBe('subsidiary');
    const unknown = await call('POST', `${R}/customer`, { companyName: 'X', subsidiary: { id: '1' }, favouriteColour: 'blue' });
    expect(unknown.body['o:errorDetails'][0]['o:errorPath']).toBe('favouriteColour');
    expect((await call('POST', `${R}/subsidiary`, { name: 'New' })).status).toBe(405);
    expect((await call('GET', `${R}/nonsense/1`)).status).toBe(404);
  });
});

describe('ERP sandbox: invoices and payments', () => {
  let receiver: Server;
  let received: Array<{ headers: Record<string, unknown>; body: { recordType: string; eventType: string; status?: { refName: string } } }>;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(text) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    sandbox.ctx.webhooks.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
  beforeEach(() => void (received = []));

  it('computes totals from lines, approves, and applies partial then full payments', async () => {
    const customerId = [...sandbox.ctx.state().records.customer.values()].find((c) => c.subsidiary.id === '2')!.id;
    const created = await call('POST', `${R}/invoice`, {
      entity: { id: customerId },
      tranDate: '2026-03-31',
      dueDate: '2026-04-30',
      approvalStatus: { id: '1' },
      item: {
        items: [
          { item: { id: '1' }, description: 'Consultant', quantity: 12.5, rate: 160, taxRate1: 19 },
          { item: { id: '3' }, description: 'Travel', quantity: 1, rate: 0.29 },
        ],
      },
    });
    expect(created.status).toBe(204);
    const id = idFromLocation(created);
    const collapsed = await call('GET', `${R}/invoice/${id}`);
    expect(collapsed.body.item).toEqual({ links: [{ rel: 'self', href: `${running.url}${R}/invoice/${id}/item` }] });
    let invoice = (await call('GET', `${R}/invoice/${id}?expandSubResources=true`)).body;
    expect(invoice).toMatchObject({
      tranId: expect.stringMatching(/^NW-DE-INV-\d{6}$/),
      subtotal: 2000.29,
      taxTotal: 380,
      total: 2380.29,
      amountRemaining: 2380.29,
      status: { id: 'D', refName: 'Pending Approval' },
      approvalStatus: { id: '1' },
      currency: { refName: 'EUR' },
    });
    expect(invoice.item.items[0]).toMatchObject({ line: 1, amount: 2000, taxRate1: 19, tax1Amt: 380 });

    const early = await call('POST', `${R}/customerPayment`, {
      customer: { id: customerId },
      payment: 10,
      apply: { items: [{ doc: { id }, apply: true, amount: 10 }] },
    });
    expect(early.status).toBe(400);

    // NetSuite has no approve action: approval is the approval status field.
    expect((await call('POST', `${R}/invoice/${id}/!approve`)).status).toBe(404);
    expect((await call('PATCH', `${R}/invoice/${id}`, { approvalStatus: { id: '2' } })).status).toBe(204);
    invoice = (await call('GET', `${R}/invoice/${id}`)).body;
    expect(invoice.status).toEqual({ id: 'A', refName: 'Open' });

    const partial = await call('POST', `${R}/customerPayment`, {
      customer: { id: customerId },
      payment: 1000,
      apply: { items: [{ doc: { id }, apply: true, amount: 1000 }] },
    });
    expect(partial.status).toBe(204);
    invoice = (await call('GET', `${R}/invoice/${id}`)).body;
    expect(invoice).toMatchObject({ amountRemaining: 1380.29, amountPaid: 1000, status: { refName: 'Open' } });

    const over = await call('POST', `${R}/customerPayment`, {
      customer: { id: customerId },
      payment: 5000,
      apply: { items: [{ doc: { id }, apply: true, amount: 1380.3 }] },
    });
    expect(over.status).toBe(400);
    expect(over.body['o:errorDetails'][0]['o:errorPath']).toBe('apply.items[0].amount');

    const rest = await call('POST', `${R}/customerPayment`, {
      customer: { id: customerId },
      payment: 1380.29,
      apply: { items: [{ doc: { id }, apply: true, amount: 1380.29 }] },
    });
    expect(rest.status).toBe(204);
    invoice = (await call('GET', `${R}/invoice/${id}`)).body;
    expect(invoice).toMatchObject({ amountRemaining: 0, status: { id: 'B', refName: 'Paid In Full' } });
    const payment = (await call('GET', `${R}/customerPayment/${idFromLocation(rest)}?expandSubResources=true`)).body;
    expect(payment).toMatchObject({
      payment: 1380.29,
      applied: 1380.29,
      unapplied: 0,
      apply: { items: [{ doc: { id }, amount: 1380.29, apply: true }] },
    });

    await sandbox.ctx.webhooks.drain();
    const events = received.map((r) => `${r.body.recordType}:${r.body.eventType}:${r.body.status?.refName ?? ''}`);
    // invoice.created, invoice.approved + invoice.statusChanged, payment (no status change), payment + Paid In Full.
    expect(events).toEqual([
      'invoice:create:Pending Approval',
      'invoice:approve:Open',
      'invoice:approve:Open',
      'customerPayment:create:',
      'invoice:paymentapplied:Paid In Full',
      'customerPayment:create:',
    ]);
    expect(received[0]!.headers['webhook-signature']).toMatch(/^v1,/);
  });

  it('sends invoice.holdChanged when the billing hold is set or lifted', async () => {
    const open = [...sandbox.ctx.state().records.invoice.values()].find((i) => i.status.id === 'A')!;
    expect((await call('PATCH', `${R}/invoice/${open.id}`, { custbody_billing_hold: true, custbody_hold_reason: 'Disputed' })).status).toBe(
      204,
    );
    expect((await call('PATCH', `${R}/invoice/${open.id}`, { memo: 'no hold change' })).status).toBe(204);
    expect((await call('PATCH', `${R}/invoice/${open.id}`, { custbody_billing_hold: false })).status).toBe(204);
    await sandbox.ctx.webhooks.drain();
    const holds = received.filter(
      (r) => r.headers['webhook-id'] && (r.body as { billingHold?: boolean }).billingHold !== undefined && r.body.eventType === 'edit',
    );
    expect(holds.map((r) => (r.body as { billingHold?: boolean }).billingHold)).toEqual([true, false]);
  });

  it('refuses amounts with more decimals than the currency allows', async () => {
    const customerId = [...sandbox.ctx.state().records.customer.values()][0]!.id;
    const res = await call('POST', `${R}/invoice`, {
      entity: { id: customerId },
      item: { items: [{ item: { id: '1' }, quantity: 1, rate: 10.005 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body['o:errorDetails'][0]['o:errorPath']).toBe('item.items[0].rate');
  });
});

describe('ERP sandbox: SuiteQL', () => {
  it('needs Prefer: transient and a q', async () => {
    const res = await call('POST', '/services/rest/query/v1/suiteql', { q: 'SELECT id FROM customer' });
    expect(res.status).toBe(400);
    expect(res.body['o:errorDetails'][0]['o:errorHeader']).toBe('Prefer');
  });

  it('selects, filters, orders and pages', async () => {
    const all = await suiteql(
      "SELECT id, companyname, vatregnumber FROM customer WHERE subsidiary = 2 OR companyname LIKE 'acme%' ORDER BY id DESC",
    );
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { companyname: string }) => i.companyname)).toEqual([
      'Rheinland Logistik AG',
      'Müller & Söhne GmbH',
      'Acme Widgets Ltd',
    ]);
    expect(all.body.items[0]).toEqual({
      links: [],
      id: expect.any(String),
      companyname: 'Rheinland Logistik AG',
      vatregnumber: 'DE299876543',
    });
    const page = await suiteql("SELECT id FROM transaction WHERE type = 'CustInvc' AND id > 0 ORDER BY id", '?limit=2&offset=2');
    expect(page.body).toMatchObject({ count: 2, offset: 2, hasMore: true });
    const open = await suiteql(
      "SELECT id, status, foreignamountremaining FROM transaction WHERE type = 'CustInvc' AND status IN ('A', 'B')",
    );
    expect(open.body.items.every((i: { status: string }) => ['A', 'B'].includes(i.status))).toBe(true);
  });

  it('rejects unknown columns, tables and syntax outside the subset', async () => {
    for (const q of ['SELECT nope FROM customer', 'SELECT id FROM nowhere', 'SELECT id FROM customer GROUP BY id', 'DROP TABLE customer']) {
      const res = await suiteql(q);
      expect(res.status, q).toBe(400);
      expect(res.body['o:errorDetails'][0]['o:errorCode'], q).toBe('INVALID_PARAMETER');
    }
  });
});

describe('ERP sandbox: seeds and faults', () => {
  it('seeds small and large deterministically', () => {
    const small = seedErp('small', new SeededRandom(7));
    expect(small.records.subsidiary.size).toBe(3);
    expect([...small.records.subsidiary.values()].map((s) => s.country)).toEqual(['GB', 'DE', 'US']);
    expect(small.records.customer.size).toBe(6);
    expect(small.records.invoice.size).toBeGreaterThan(3);
    const statuses = new Set([...small.records.invoice.values()].map((i) => i.status.refName));
    expect(statuses).toEqual(new Set(['Open', 'Paid In Full', 'Pending Approval']));
    const large = seedErp('large', new SeededRandom(7));
    expect(large.records.customer.size).toBe(100);
    expect(large.records.job.size).toBe(2000);
    expect(JSON.stringify([...seedErp('large', new SeededRandom(7)).records.invoice.values()])).toBe(
      JSON.stringify([...large.records.invoice.values()]),
    );
  });

  it('answers injected faults in NetSuite’s error shape', async () => {
    sandbox.ctx.faults.set({ rateLimitBurst: { remaining: 0, retryAfterSeconds: 3 } });
    const limited = await call('GET', `${R}/customer`);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.body['o:errorDetails'][0]['o:errorCode']).toBe('CONCURRENCY_LIMIT_EXCEEDED');
  });
});

describe('project tasks as billing milestones', () => {
  it('creates milestones on a project, completes them with a date, finds them by SuiteQL and hides the milestone flag on reads', async () => {
    const job = [...sandbox.ctx.state().records.job.values()].find((j) => j.jobBillingType.id === 'FBM' && j.entityStatus.id === '2')!;
    const created = await call('POST', `${R}/projectTask`, {
      project: { id: job.id },
      title: 'Data migration signed off',
      isMilestone: true,
      finishByDate: '2026-12-11',
      custevent_ms_amount: 12500.5,
    });
    expect(created.status).toBe(204);
    const id = idFromLocation(created);
    const read = await call('GET', `${R}/projectTask/${id}`);
    expect(read.body).toMatchObject({
      id,
      title: 'Data migration signed off',
      status: { id: 'NOTSTART', refName: 'Not Started' },
      project: { id: job.id, refName: job.companyName },
      custevent_ms_amount: 12500.5,
    });
    expect(read.body).not.toHaveProperty('isMilestone');
    expect(
      (await call('POST', `${R}/projectTask`, { project: { id: job.id }, title: 'Too precise', custevent_ms_amount: 1.005 })).status,
    ).toBe(400);
    expect((await call('PATCH', `${R}/projectTask/${id}`, { status: { id: 'DONE' } })).status).toBe(400);

    expect(
      (await call('PATCH', `${R}/projectTask/${id}`, { status: { id: 'COMPLETE' }, custevent_ms_completed_on: '2026-12-10' })).status,
    ).toBe(204);
    expect((await call('GET', `${R}/projectTask/${id}`)).body).toMatchObject({
      status: { id: 'COMPLETE', refName: 'Completed' },
      custevent_ms_completed_on: '2026-12-10',
    });
    const rows = await suiteql(
      `SELECT id, title, status, custevent_ms_amount FROM projecttask WHERE ismilestone = 'T' AND project = ${job.id} AND status = 'COMPLETE' AND custevent_ms_invoice IS NULL`,
    );
    expect(rows.body.items.map((r: Record<string, string>) => [r.id, r.title, r.custevent_ms_amount])).toEqual([
      [id, 'Data migration signed off', '12500.5'],
    ]);
    // Reopened, a task loses its completion date.
    expect((await call('PATCH', `${R}/projectTask/${id}`, { status: { id: 'PROGRESS' } })).status).toBe(204);
    expect((await call('GET', `${R}/projectTask/${id}`)).body).not.toHaveProperty('custevent_ms_completed_on');
  });

  it('bills a completed milestone by one invoice of its own project, then keeps it as billed', async () => {
    const state = sandbox.ctx.state();
    const billed = [...state.records.projectTask.values()].find((t) => t.custevent_ms_invoice)!;
    const open = [...state.records.projectTask.values()].find((t) => t.project.id === billed.project.id && t.status.id === 'PROGRESS')!;
    const foreign = [...state.records.invoice.values()].find((i) => i.job && i.job.id !== billed.project.id)!;
    expect(
      (await call('PATCH', `${R}/projectTask/${open.id}`, { custevent_ms_invoice: { id: billed.custevent_ms_invoice!.id } })).body[
        'o:errorDetails'
      ][0].detail,
    ).toMatch(/Only a completed milestone/);
    await call('PATCH', `${R}/projectTask/${open.id}`, { status: { id: 'COMPLETE' } });
    expect((await call('GET', `${R}/projectTask/${open.id}`)).body.custevent_ms_completed_on).toBe(state.now().toISOString().slice(0, 10));
    expect((await call('PATCH', `${R}/projectTask/${open.id}`, { custevent_ms_invoice: { id: foreign.id } })).status).toBe(400);
    expect(
      (await call('PATCH', `${R}/projectTask/${open.id}`, { custevent_ms_invoice: { id: billed.custevent_ms_invoice!.id } })).status,
    ).toBe(204);
    expect((await call('PATCH', `${R}/projectTask/${open.id}`, { status: { id: 'PROGRESS' } })).status).toBe(400);
    expect((await call('PATCH', `${R}/projectTask/${open.id}`, { custevent_ms_amount: 1 })).status).toBe(400);
    const job = state.records.job.get(billed.project.id)!;
    const other = await call('POST', `${R}/invoice`, {
      entity: { id: job.parent.id },
      job: { id: job.id },
      item: { items: [{ item: { id: '2' }, quantity: 1, rate: 10 }] },
    });
    const second = await call('PATCH', `${R}/projectTask/${open.id}`, { custevent_ms_invoice: { id: idFromLocation(other) } });
    expect(second.status).toBe(400);
    expect(second.body['o:errorDetails'][0].detail).toMatch(/already billed on invoice/);
    expect((await call('GET', `${R}/projectTask/${open.id}`)).body).toMatchObject({
      status: { id: 'COMPLETE' },
      custevent_ms_invoice: { id: billed.custevent_ms_invoice!.id },
    });
  });

  it('takes external ids of letters, digits, underscores and hyphens only', async () => {
    expect((await call('PUT', `${R}/customer/eid:client_42-a`, { companyName: 'Initrode GmbH', subsidiary: { id: '2' } })).status).toBe(
      204,
    );
    expect((await call('PUT', `${R}/customer/eid:inv:42:2026`, { companyName: 'Initrode AG', subsidiary: { id: '2' } })).status).toBe(400);
    expect((await call('POST', `${R}/customer`, { companyName: 'Initrode KG', subsidiary: { id: '2' }, externalId: 'a b' })).status).toBe(
      400,
    );
  });
});
