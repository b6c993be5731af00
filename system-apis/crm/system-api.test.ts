// The CRM system API through the real gateway (JWT, scopes, contract validation of every
// request and response) against the CRM sandbox, on each store engine available.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../core/store/index.js';
import { newId } from '../../core/xref/index.js';
import { createSandboxApp, listen, type RunningSandbox, type SandboxApp } from '../../sandboxes/kit/index.js';
import { crmSandbox, READY_TO_CLOSE_NAME, type CrmState } from '../../sandboxes/crm/index.js';
import { migratedStore, testEngines } from '../../test/support/stores.js';
import { apiClient, catalogueOf, idempotencyHeader } from '../../test/support/api-client.js';
import {
  bearer,
  makeKey,
  startGateway,
  startJwks,
  token,
  type SigningKey,
  type TestGateway,
  type TestJwks,
} from '../../test/gateway/support.js';
import { CrmConnector } from './connector.js';
import { crmSystemModule } from './module.js';
import { createCrmSystemApi, type CrmSystemApi } from './service.js';
import { readChangeEvent } from './change-events.js';
import type { Client, ClientPage, Contact, ContactPage, Opportunity, OpportunityPage } from './canonical.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('CRM system API on %s', (_name, engine) => {
  let sandbox: SandboxApp<CrmState>;
  let running: RunningSandbox;
  let store: Store;
  let connector: CrmConnector;
  let jwks: TestJwks;
  let key: SigningKey;
  let gateway: TestGateway;
  let readWrite: Record<string, string>;
  let readOnly: Record<string, string>;
  let crmSystem: CrmSystemApi;
  const received: unknown[] = [];
  let receiver: Server;

  const { call } = apiClient(
    () => gateway.url,
    '/system/crm/v1',
    () => readWrite,
  );
  const key1 = idempotencyHeader;

  beforeAll(async () => {
    sandbox = createSandboxApp(crmSandbox);
    running = await listen(sandbox.app);
    store = await migratedStore(engine);
    connector = new CrmConnector({
      baseUrl: running.url,
      apiVersion: 'v62.0',
      clientId: 'sandbox-crm-client',
      clientSecret: 'sandbox-crm-secret',
      timeoutMs: 2_000,
      backoff: { baseMs: 5, capMs: 20 },
      breaker: { consecutiveFailures: 1000 },
    });
    crmSystem = createCrmSystemApi({ connector, store });
    receiver = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    // Change events reach this receiver as an event relay's signed posts.
    sandbox.ctx.state().relayChangeEvents = true;
    sandbox.ctx.webhooks.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm-events`);
    key = await makeKey();
    jwks = await startJwks([key]);
    gateway = await startGateway(
      jwks.url,
      {},
      {
        catalogue: await catalogueOf([{ layer: 'system', api: 'crm', major: 1 }]),
        apis: [crmSystemModule],
        layers: { infra: { store }, systemApis: { crm: crmSystem } },
      },
    );
    readWrite = bearer(await token({ key, scope: 'crm:read crm:write', clientId: 'test-client' }));
    readOnly = bearer(await token({ key, scope: 'crm:read', clientId: 'test-client' }));
  });
  afterAll(async () => {
    await gateway?.close();
    await jwks?.close();
    await connector?.close();
    await running?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await store?.close();
    await engine.cleanup();
  });
  beforeEach(() => sandbox.ctx.faults.clear());

  it('lists every client over cursor pages, with stable canonical ids', async () => {
    const seen: Client[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: ClientPage } = await call<ClientPage>(
        'GET',
        `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((c) => c.name)).toContain('Nordlicht Logistik GmbH');
    expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
    const again = await call<ClientPage>('GET', '/clients?limit=200');
    expect(again.body.items.map((c) => c.id).sort()).toEqual(seen.map((c) => c.id).sort());
    const one = await call<Client>('GET', `/clients/${seen[0].id}`);
    expect(one.body).toEqual(seen[0]);
  });

  it('filters clients by the matching keys: domain and tax id', async () => {
    const byDomain = await call<ClientPage>('GET', '/clients?domain=nordlicht-logistik.de');
    expect(byDomain.body.items.map((c) => c.name)).toEqual(['Nordlicht Logistik GmbH']);
    expect(byDomain.body.items[0]).toMatchObject({
      billingCountry: 'DE',
      taxId: 'DE812345678',
      defaultCurrency: 'EUR',
      domain: 'nordlicht-logistik.de',
    });
    const byTax = await call<ClientPage>('GET', '/clients?taxId=GB123456789');
    expect(byTax.body.items.map((c) => c.name)).toEqual(['Thames Valley Insurance plc']);
    expect((await call<ClientPage>('GET', '/clients?domain=nowhere.example')).body.items).toEqual([]);
  });

  it('answers an unknown client with 404 and a bad cursor or limit with 400', async () => {
    const missing = await call<{ status: number; type: string }>('GET', '/clients/01a216af-078d-7328-958b-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await call('GET', '/clients?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect((await call('GET', '/clients?limit=0')).status).toBe(400);
  });

  it('creates a client once per Idempotency-Key and replays the first answer', async () => {
    const headers = key1();
    const body = {
      name: 'Fjord Analytics AS',
      website: 'https://www.fjord-analytics.example',
      billingCountry: 'NO',
      defaultCurrency: 'EUR',
    };
    const first = await call<Client>('POST', '/clients', { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/system/crm/v1/clients/${first.body.id}`);
    expect(first.body).toMatchObject({
      name: 'Fjord Analytics AS',
      domain: 'fjord-analytics.example',
      billingCountry: 'NO',
      status: 'active',
    });
    const replay = await call<Client>('POST', '/clients', { body, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    const inCrm = [...sandbox.ctx.state().records.Account.values()].filter((a) => a.Name === 'Fjord Analytics AS');
    expect(inCrm).toHaveLength(1);
    expect(inCrm[0].External_Id__c).toBe(first.body.id);
    expect((await call('POST', '/clients', { body })).status).toBe(400); // no Idempotency-Key
  });

  it('updates a client and shows billing status written back, refusing money the CRM would round', async () => {
    const [client] = (await call<ClientPage>('GET', '/clients?taxId=KW300012345')).body.items;
    const patched = await call<Client>('PATCH', `/clients/${client.id}`, {
      body: { phone: '+965 2222 4444', industry: null },
      headers: key1(),
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ phone: '+965 2222 4444', industry: null });
    const rounded = await call<{ status: number; detail: string }>('PUT', `/clients/${client.id}/billing-status`, {
      body: { status: 'overdue', outstanding: { amountMinor: 12345, currency: 'KWD' } },
    });
    expect(rounded.status).toBe(422);
    expect(rounded.body.detail).toMatch(/rounded/);
    const ok = await call<Client>('PUT', `/clients/${client.id}/billing-status`, {
      body: { status: 'partially-paid', invoiceStatus: 'posted', outstanding: { amountMinor: 12340, currency: 'KWD' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.billing).toEqual({
      status: 'partially-paid',
      invoiceStatus: 'posted',
      outstanding: { amountMinor: 12340, currency: 'KWD' },
    });
    const otherCurrency = await call('PUT', `/clients/${client.id}/billing-status`, {
      body: { status: 'overdue', outstanding: { amountMinor: 100, currency: 'EUR' } },
    });
    expect(otherCurrency.status).toBe(422);
  });

  it('lists only what changed since an instant', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const [client] = (await call<ClientPage>('GET', '/clients?taxId=DE812345678')).body.items;
    await call('PATCH', `/clients/${client.id}`, { body: { industry: 'Logistics' }, headers: key1() });
    const changed = await call<ClientPage>('GET', `/clients?updatedSince=${encodeURIComponent(since)}`);
    expect(changed.status).toBe(200);
    const names = changed.body.items.map((c) => c.name);
    expect(names).toContain('Nordlicht Logistik GmbH');
    expect(names).not.toContain('Thames Valley Insurance plc');
  });

  it('refuses contract terms that end before they start', async () => {
    const [opp] = (await call<OpportunityPage>('GET', '/opportunities?limit=1')).body.items;
    const res = await call<{ detail: string }>('PATCH', `/opportunities/${opp.id}`, {
      body: { contractTerms: { startDate: '2027-03-01', endDate: '2027-02-01' } },
      headers: key1(),
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/endDate/);
  });

  it('lists, creates and updates contacts of a client', async () => {
    const [client] = (await call<ClientPage>('GET', '/clients?domain=nordlicht-logistik.de')).body.items;
    const list = await call<ContactPage>('GET', `/contacts?clientId=${client.id}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    for (const c of list.body.items) expect(c.clientId).toBe(client.id);
    const created = await call<Contact>('POST', '/contacts', {
      body: { clientId: client.id, givenName: 'Mara', familyName: 'Lindqvist', email: 'mara.lindqvist@nordlicht-logistik.de' },
      headers: key1(),
    });
    expect(created.status).toBe(201);
    const updated = await call<Contact>('PATCH', `/contacts/${created.body.id}`, { body: { jobTitle: 'CFO' }, headers: key1() });
    expect(updated.body).toMatchObject({ id: created.body.id, clientId: client.id, jobTitle: 'CFO', familyName: 'Lindqvist' });
    const unknown = await call('POST', '/contacts', {
      body: { clientId: '01a216af-078d-7328-958b-000000000001', familyName: 'X' },
      headers: key1(),
    });
    expect(unknown.status).toBe(422);
  });

  it('closes the ready opportunity as won, publishing the change, and takes the ERP project write-back', async () => {
    const open = await call<OpportunityPage>('GET', '/opportunities?stage=negotiation');
    const ready = open.body.items.find((o) => o.name === READY_TO_CLOSE_NAME)!;
    expect(ready.contractTerms).toMatchObject({ billingModel: 'time-and-materials', legalEntityCountry: 'DE', rateCardCode: 'RC-DE-2026' });
    expect(ready.amount).toEqual({ amountMinor: 24000000, currency: 'EUR' });
    received.length = 0;
    const won = await call<Opportunity>('PATCH', `/opportunities/${ready.id}`, { body: { stage: 'closed-won' }, headers: key1() });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ stage: 'closed-won', isWon: true, isClosed: true, stageLabel: 'Closed Won' });
    const linked = await call<Opportunity>('PUT', `/opportunities/${ready.id}/erp-project`, {
      body: { projectId: 'PRJ-2026-0042', status: 'provisioned' },
    });
    expect(linked.body.erpProject).toEqual({ projectId: 'PRJ-2026-0042', status: 'provisioned' });
    const billed = await call<Opportunity>('PUT', `/opportunities/${ready.id}/billing-status`, {
      body: { status: 'invoiced', invoiceStatus: 'posted' },
    });
    expect(billed.body.billing).toEqual({ status: 'invoiced', invoiceStatus: 'posted' });
    // The CRM published the change; read as a change event it is the closed-won trigger for this opportunity.
    await sandbox.ctx.webhooks.drain();
    const changes = received.map(readChangeEvent);
    const win = changes.find((c) => c.closedWon);
    expect(win).toMatchObject({ entity: 'opportunity', kind: 'updated', stage: 'closed-won' });
    expect(await crmSystem.canonicalIdOf('opportunity', win!.crmIds[0])).toBe(ready.id);
    expect(changes.filter((c) => c.closedWon)).toHaveLength(1); // the write-backs that followed are not new wins
    const won2 = await call<OpportunityPage>('GET', `/opportunities?stage=closed-won&clientId=${ready.clientId}`);
    expect(won2.body.items.map((o) => o.id)).toContain(ready.id);
  });

  it("links an opportunity's unlinked account to the canonical id it carries, read in the same query", async () => {
    // Written past the layer (as after a crash between the CRM write and the link): no xref yet.
    const canonicalClientId = newId();
    const accountId = await connector.create('Account', { Name: 'Unlinked Partners AG', External_Id__c: canonicalClientId });
    await connector.create('Opportunity', {
      Name: 'Unlinked deal',
      StageName: 'Prospecting',
      CloseDate: '2026-09-30',
      AccountId: accountId,
    });
    const calls = sandbox.ctx.state().apiUsage.used;
    const listed = await crmSystem.listOpportunities({ limit: 200 });
    expect(sandbox.ctx.state().apiUsage.used - calls).toBe(1); // one query, no read per account
    expect(listed.items.find((o) => o.name === 'Unlinked deal')?.clientId).toBe(canonicalClientId);
    expect((await crmSystem.getClient(canonicalClientId)).name).toBe('Unlinked Partners AG');
  });

  it('creates an opportunity in a zero-decimal currency', async () => {
    const [client] = (await call<ClientPage>('GET', '/clients?taxId=T1234567890123')).body.items;
    const created = await call<Opportunity>('POST', '/opportunities', {
      headers: key1(),
      body: {
        clientId: client.id,
        name: 'Sakura – store analytics',
        stage: 'proposal',
        closeDate: '2026-12-15',
        amount: { amountMinor: 12500000, currency: 'JPY' },
        contractTerms: { billingModel: 'fixed-fee', startDate: '2027-01-04', endDate: '2027-03-31', legalEntityCountry: 'GB' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      clientId: client.id,
      stage: 'proposal',
      amount: { amountMinor: 12500000, currency: 'JPY' },
      contractTerms: { billingModel: 'fixed-fee', rateCardCode: null },
    });
  });

  it('refuses writes without the crm:write scope and bodies that break the contract', async () => {
    const denied = await call('POST', '/clients', { body: { name: 'X' }, headers: { ...readOnly, ...key1() } });
    expect(denied.status).toBe(403);
    const bad = await call<{ errors?: unknown[] }>('POST', '/clients', { body: { name: 'X', colour: 'red' }, headers: key1() });
    expect(bad.status).toBe(400);
  });

  it('answers CRM failures as upstream problems: 502 on errors, 503 on an outage', async () => {
    sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 500, paths: '/services/data' });
    const failed = await call<{ status: number; platform: string; type: string }>('GET', '/clients');
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ type: '/problems/upstream-error', platform: 'crm' });
    sandbox.ctx.faults.set({ errorRate: 0, outageUntil: new Date(Date.now() + 60_000).toISOString() });
    expect((await call('GET', '/clients')).status).toBe(503);
  });
});
