// The CRM sandbox through real HTTP: OAuth, sObject CRUD and upsert answers, SOQL paging,
// Salesforce error shapes, API usage limits and change events delivered as webhooks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../kit/index.js';
import { useCrmSandbox } from '../../test/support/crm-sandbox-session.js';
import { READY_TO_CLOSE_NAME } from './index.js';
import { seedCrm } from './seed.js';
import { normaliseId, recordId } from './ids.js';

const session = useCrmSandbox();
const { call, fetchToken } = session;
const V = '/services/data/v62.0';

describe('CRM sandbox: OAuth and sessions', () => {
  it('issues a token for good client credentials with the Salesforce fields', async () => {
    const t = await fetchToken({ grant_type: 'client_credentials', client_id: 'sandbox-crm-client', client_secret: 'sandbox-crm-secret' });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'Bearer', instance_url: session.running.url });
    expect(Object.keys(t.body)).toEqual(expect.arrayContaining(['access_token', 'issued_at', 'signature', 'id']));
  });

  it('refuses bad credentials and bad grants with the OAuth error shape', async () => {
    expect(await fetchToken({ grant_type: 'client_credentials', client_id: 'sandbox-crm-client', client_secret: 'wrong' })).toEqual({
      status: 400,
      body: { error: 'invalid_client', error_description: 'invalid client credentials' },
    });
    expect((await fetchToken({ grant_type: 'password', client_id: 'x' })).body.error).toBe('unsupported_grant_type');
  });

  it('answers a missing, unknown or expired session with 401 INVALID_SESSION_ID', async () => {
    session.token = 'not-a-token';
    const res = await call('GET', `${V}/sobjects/Account/001Dn0000000001AAA`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] }]);
  });

  it('counts API usage in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the allowance', async () => {
    const first = await call('GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`);
    expect(first.headers['sforce-limit-info']).toBe('api-usage=1/100000');
    session.sandbox.ctx.state().apiUsage.max = 2;
    expect((await call('GET', `${V}/query?q=SELECT+Id+FROM+Account`)).headers['sforce-limit-info']).toBe('api-usage=2/2');
    const over = await call('GET', `${V}/query?q=SELECT+Id+FROM+Account`);
    expect(over.status).toBe(403);
    expect(over.body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  it('answers unknown API versions with 404 NOT_FOUND', async () => {
    const res = await call('GET', '/services/data/v99.0/sobjects/Account/001Dn0000000001AAA');
    expect(res.status).toBe(404);
    expect(res.body[0].errorCode).toBe('NOT_FOUND');
  });
});

describe('CRM sandbox: sObjects', () => {
  it('creates (201 {id, success, errors}), reads, updates (204) and deletes (204) an account', async () => {
    const created = await call('POST', `${V}/sobjects/Account`, {
      Name: 'Fjord Analytics AS',
      Website: 'fjord.no',
      BillingCountryCode: 'NO',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^001[A-Za-z0-9]{15}$/), success: true, errors: [] });
    const id = created.body.id as string;
    expect(normaliseId(id)).toBe(id);

    const read = await call('GET', `${V}/sobjects/Account/${id}`);
    expect(read.body).toMatchObject({
      attributes: { type: 'Account', url: `${V}/sobjects/Account/${id}` },
      Id: id,
      Name: 'Fjord Analytics AS',
      Tax_Id__c: null,
    });
    expect(read.body.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

    expect((await call('PATCH', `${V}/sobjects/Account/${id}`, { Tax_Id__c: 'NO912345678MVA' })).status).toBe(204);
    expect((await call('GET', `${V}/sobjects/Account/${id}?fields=Tax_Id__c`)).body).toEqual({
      attributes: expect.any(Object),
      Id: id,
      Tax_Id__c: 'NO912345678MVA',
    });
    expect((await call('DELETE', `${V}/sobjects/Account/${id}`)).status).toBe(204);
    expect((await call('GET', `${V}/sobjects/Account/${id}`)).status).toBe(404);
  });

  it('accepts the 15-character form of an id', async () => {
    const [account] = session.sandbox.ctx.state().records.Account.values();
    expect((await call('GET', `${V}/sobjects/Account/${account.Id.slice(0, 15)}`)).body.Id).toBe(account.Id);
  });

  it('answers bad writes with Salesforce error codes and fields', async () => {
    const missing = await call('POST', `${V}/sobjects/Opportunity`, { Name: 'No stage' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([
      {
        message: 'Required fields are missing: [StageName, CloseDate]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['StageName', 'CloseDate'],
      },
    ]);
    expect((await call('POST', `${V}/sobjects/Account`, { Name: 'X', Colour__c: 'red' })).body[0]).toMatchObject({
      errorCode: 'INVALID_FIELD',
      fields: ['Colour__c'],
    });
    expect((await call('POST', `${V}/sobjects/Account`, { Name: 'X', CreatedDate: '2020-01-01' })).body[0].errorCode).toBe(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
    );
    expect((await call('POST', `${V}/sobjects/Contact`, { LastName: 'Y', AccountId: 'garbage' })).body[0]).toMatchObject({
      errorCode: 'MALFORMED_ID',
      fields: ['AccountId'],
    });
    expect((await call('GET', `${V}/sobjects/Account/001nope`)).body[0].errorCode).toBe('MALFORMED_ID');
    expect((await call('GET', `${V}/sobjects/Account/001Dn0000000zzzAAA`)).status).toBe(400); // wrong case-safe suffix
    expect((await call('PATCH', `${V}/sobjects/Opportunity/${recordId('Opportunity', 999)}`, { Name: 'x' })).status).toBe(404);
    expect(
      (await call('POST', `${V}/sobjects/Opportunity`, { Name: 'x', StageName: 'Won-ish', CloseDate: '2026-01-01' })).body[0].errorCode,
    ).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  it('upserts by external id: 201 created, then 200 with created=false (v46.0+), 204 on older versions', async () => {
    const path = `${V}/sobjects/Account/External_Id__c/0191e6a0-0000-7000-8000-00000000abcd`;
    const created = await call('PATCH', path, { Name: 'Upsert GmbH' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, errors: [], created: true });
    const updated = await call('PATCH', path, { Website: 'upsert.de' });
    expect(updated).toMatchObject({ status: 200, body: { id: created.body.id, success: true, created: false } });
    const old = await call('PATCH', path.replace('v62.0', 'v45.0'), { Phone: '+49 1' });
    expect(old.status).toBe(204);
    expect((await call('GET', path)).body).toMatchObject({
      Id: created.body.id,
      Name: 'Upsert GmbH',
      Website: 'upsert.de',
      Phone: '+49 1',
    });
    expect((await call('PATCH', `${V}/sobjects/Account/Name/x`, { Name: 'x' })).body[0].errorCode).toBe('NOT_FOUND');
  });

  it('derives IsClosed/IsWon from the stage', async () => {
    const ready = [...session.sandbox.ctx.state().records.Opportunity.values()].find((o) => o.Name === READY_TO_CLOSE_NAME)!;
    expect(ready).toMatchObject({ StageName: 'Negotiation/Review', IsClosed: false, IsWon: false, Billing_Model__c: 'Time and Materials' });
    expect((await call('PATCH', `${V}/sobjects/Opportunity/${ready.Id}`, { StageName: 'Closed Won' })).status).toBe(204);
    expect((await call('GET', `${V}/sobjects/Opportunity/${ready.Id}`)).body).toMatchObject({
      IsClosed: true,
      IsWon: true,
      Probability: 100,
    });
  });
});

describe('CRM sandbox: SOQL query and paging', () => {
  it('pages with nextRecordsUrl until done, with totalSize and record attributes', async () => {
    session.sandbox.ctx.state().smallQueryBatches = true; // Salesforce's minimum batch is 200; the small seed has 10 contacts
    const q = encodeURIComponent('SELECT Id, Name FROM Contact ORDER BY Name');
    const first = await call('GET', `${V}/query?q=${q}`, undefined, { 'Sforce-Query-Options': 'batchSize=4' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      totalSize: 10,
      done: false,
      nextRecordsUrl: expect.stringMatching(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]+-4$/),
    });
    expect(first.body.records[0]).toEqual({
      attributes: { type: 'Contact', url: expect.stringMatching(/\/sobjects\/Contact\/003/) },
      Id: expect.any(String),
      Name: expect.any(String),
    });
    const names: string[] = first.body.records.map((r: { Name: string }) => r.Name);
    let next = first.body.nextRecordsUrl as string | undefined;
    while (next) {
      const more = await call('GET', next, undefined, { 'Sforce-Query-Options': 'batchSize=4' });
      expect(more.body.totalSize).toBe(10);
      names.push(...more.body.records.map((r: { Name: string }) => r.Name));
      next = more.body.done ? undefined : more.body.nextRecordsUrl;
    }
    expect(names).toHaveLength(10);
    expect([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))).toEqual(names);
  });

  it('filters opportunities on stage and dates', async () => {
    const q = encodeURIComponent(
      "SELECT Id, StageName, Amount, CurrencyIsoCode FROM Opportunity WHERE StageName IN ('Negotiation/Review','Closed Won') AND CloseDate > 2020-01-01",
    );
    const res = await call('GET', `${V}/query?q=${q}`);
    expect(res.body.done).toBe(true);
    expect(res.body.records.length).toBeGreaterThanOrEqual(2);
    for (const r of res.body.records) expect(['Negotiation/Review', 'Closed Won']).toContain(r.StageName);
  });

  it('answers malformed queries and stale locators in the Salesforce shape', async () => {
    expect((await call('GET', `${V}/query?q=${encodeURIComponent('SELECT FROM Account')}`)).body[0].errorCode).toBe('MALFORMED_QUERY');
    expect((await call('GET', `${V}/query/01gDn0000000999AAA-2000`)).body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
  });
});

describe('CRM sandbox: change events through the relay switch', () => {
  let receiver: Server;
  const received: Array<{ headers: Record<string, unknown>; body: any }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- webhook JSON

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(data) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    session.sandbox.ctx.webhooks.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`);
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
  // After the session's reset to the seed, which turns the relay off again.
  beforeEach(() => void (session.sandbox.ctx.state().relayChangeEvents = true));

  it('sends a signed CDC-shaped UPDATE event when an opportunity is closed won', async () => {
    received.length = 0;
    const ready = [...session.sandbox.ctx.state().records.Opportunity.values()].find((o) => o.Name === READY_TO_CLOSE_NAME)!;
    await call('PATCH', `${V}/sobjects/Opportunity/${ready.Id}`, { StageName: 'Closed Won' });
    await session.sandbox.ctx.webhooks.drain();
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received;
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(body.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Opportunity',
      changeType: 'UPDATE',
      recordIds: [ready.Id],
      commitUser: '005Dn0000000001AAA',
      sequenceNumber: 1,
      changedFields: expect.arrayContaining(['StageName', 'IsWon', 'IsClosed', 'LastModifiedDate']),
    });
    expect(typeof body.payload.ChangeEventHeader.commitTimestamp).toBe('number');
    expect(typeof body.payload.ChangeEventHeader.transactionKey).toBe('string');
    expect(body.payload).toMatchObject({ StageName: 'Closed Won', IsWon: true });
  });

  it('sends CREATE and DELETE events', async () => {
    received.length = 0;
    const created = await call('POST', `${V}/sobjects/Contact`, { LastName: 'Event' });
    await call('DELETE', `${V}/sobjects/Contact/${created.body.id}`);
    await session.sandbox.ctx.webhooks.drain();
    expect(received.map((r) => r.body.payload.ChangeEventHeader.changeType)).toEqual(['CREATE', 'DELETE']);
    expect(received[0].body.payload).toMatchObject({ LastName: 'Event' });
  });
});

describe('CRM sandbox: seeds', () => {
  it('is deterministic and the large seed has about 100 clients', () => {
    const a = seedCrm('large', new SeededRandom(7));
    const b = seedCrm('large', new SeededRandom(7));
    expect(a.records.Account.size).toBe(100);
    expect(a.records.Opportunity.size).toBeGreaterThanOrEqual(100);
    expect([...a.records.Opportunity.values()]).toEqual([...b.records.Opportunity.values()]);
  });
});
