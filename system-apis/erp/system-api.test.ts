// The ERP system API through the real gateway (JWT, scopes, Idempotency-Key, contract
// validation of every request and response) against the ERP sandbox, on each store engine.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/support/stores.js';
import { idempotencyHeader } from '../../test/support/api-client.js';
import { startErpSystemFixture, type ErpSystemFixture } from '../../test/support/erp-system-fixture.js';
import type { Client, ClientMatchResult, Engagement, Invoice, LegalEntity, Payment, RateCard } from './canonical.js';

const engines = testEngines();

describe.each(engines.map((e) => [e.name, e] as const))('ERP system API on %s', (_name, engine) => {
  let f: ErpSystemFixture;
  let sandbox: ErpSystemFixture['sandbox'];
  const call = <T = unknown>(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }) =>
    f.call<T>(method, path, opts);
  const write = <T = unknown>(method: string, path: string, body?: unknown) => f.write<T>(method, path, body);
  const all = <T>(path: string, limit?: number) => f.all<T>(path, limit);
  const idem = idempotencyHeader;
  let readOnly: Record<string, string>;

  beforeAll(async () => {
    f = await startErpSystemFixture(engine);
    sandbox = f.sandbox;
    readOnly = await f.headers('erp:read');
  });
  afterAll(async () => f?.close());
  beforeEach(() => sandbox.ctx.faults.clear());

  it('lists legal entities and rate cards with stable canonical ids', async () => {
    const entities = await all<LegalEntity>('/legal-entities', 2);
    expect(entities.map((e) => [e.code, e.country, e.baseCurrency, e.taxRulesRef])).toEqual([
      ['NW-UK', 'GB', 'GBP', 'GB-VAT-20'],
      ['NW-DE', 'DE', 'EUR', 'DE-VAT-19'],
      ['NW-US', 'US', 'USD', 'US-SALES-TAX'],
    ]);
    expect((await all<LegalEntity>('/legal-entities')).map((e) => e.id)).toEqual(entities.map((e) => e.id));
    const de = (await call<LegalEntity>('GET', `/legal-entities/${entities[1]!.id}`)).body;
    expect(de.legalName).toBe('Northwind Consulting GmbH');
    const cards = await all<RateCard>(`/rate-cards?legalEntityId=${de.id}`);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.rates).toContainEqual({ role: 'senior-consultant', hourlyRate: { amountMinor: 21000, currency: 'EUR' } });
    expect((await call('GET', `/rate-cards/${cards[0]!.id}`)).status).toBe(200);
  });

  it('lists clients over cursor pages, and 404s an unknown id', async () => {
    const clients = await all<Client>('/clients', 4);
    expect(clients.length).toBeGreaterThanOrEqual(6);
    expect(new Set(clients.map((c) => c.id)).size).toBe(clients.length);
    const acme = clients.find((c) => c.name === 'Acme Widgets Ltd')!;
    expect(acme).toMatchObject({ billingCountry: 'GB', defaultCurrency: 'GBP', taxId: 'GB123456789', status: 'active' });
    expect((await call('GET', `/clients/${acme.id}`)).body).toEqual(acme);
    const missing = await call<{ status: number }>('GET', '/clients/01a216af-078d-7328-958b-8bd1ae2df797');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('finds existing clients by the matching rules and creates a new one exactly once, even under a race', async () => {
    const entities = await all<LegalEntity>('/legal-entities');
    const uk = entities.find((e) => e.country === 'GB')!;
    const acme = (await all<Client>('/clients')).find((c) => c.name === 'Acme Widgets Ltd')!;
    const matched = await write<ClientMatchResult>('POST', '/clients', {
      name: 'ACME WIDGETS LIMITED',
      billingCountry: 'GB',
      domain: 'https://www.acme-widgets.example/',
      legalEntityId: uk.id,
    });
    expect(matched.status).toBe(200);
    expect(matched.body).toEqual({ client: acme, matched: true });

    const before = sandbox.ctx.state().records.customer.size;
    const request = (name: string) =>
      write<ClientMatchResult>('POST', '/clients', {
        name,
        billingCountry: 'GB',
        taxId: 'GB 555 0000 11',
        domain: 'globex.example',
        legalEntityId: uk.id,
      });
    const racers = await Promise.all(['Globex Ltd', 'Globex Limited', 'GLOBEX LTD.', 'Globex', 'globex ltd'].map(request));
    const ids = new Set(racers.map((r) => r.body.client.id));
    expect(ids.size).toBe(1);
    expect(racers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(racers.find((r) => r.status === 201)!.headers.get('location')).toBe(`/system/erp/v1/clients/${[...ids][0]}`);
    expect(sandbox.ctx.state().records.customer.size).toBe(before + 1);
    const again = await request('Globex Ltd');
    expect(again.status).toBe(200);
    expect(again.body.client.id).toBe([...ids][0]);

    // Racers that know different things about one client (only its domain, or its domain and
    // tax id) still converge on one customer.
    const mixed = await Promise.all(
      [
        { name: 'Initrode GmbH', domain: 'initrode.example' },
        { name: 'INITRODE', domain: 'https://initrode.example', taxId: 'DE 811 000 222' },
        { name: 'Initrode G.m.b.H.', domain: 'www.initrode.example' },
        { name: 'initrode gmbh', domain: 'initrode.example', taxId: 'DE811000222' },
      ].map((body) => write<ClientMatchResult>('POST', '/clients', { ...body, billingCountry: 'GB', legalEntityId: uk.id })),
    );
    expect(new Set(mixed.map((r) => r.body.client.id)).size).toBe(1);
    expect(mixed.filter((r) => r.status === 201)).toHaveLength(1);
    expect(sandbox.ctx.state().records.customer.size).toBe(before + 2);

    const noKey = await write<{ status: number; errors: unknown[] }>('POST', '/clients', {
      name: 'Nameless',
      billingCountry: 'GB',
      legalEntityId: uk.id,
    });
    expect(noKey.status).toBe(400);
    expect(
      (await call('POST', '/clients', { body: { name: 'X', billingCountry: 'GB', domain: 'x.example', legalEntityId: uk.id } })).status,
    ).toBe(400); // no Idempotency-Key
  });

  it('creates and updates projects, with the currency rule', async () => {
    const entities = await all<LegalEntity>('/legal-entities');
    const de = entities.find((e) => e.country === 'DE')!;
    const client = (
      await write<ClientMatchResult>('POST', '/clients', {
        name: 'Wernher Maschinenbau GmbH',
        billingCountry: 'DE',
        domain: 'wernher.example',
        legalEntityId: de.id,
      })
    ).body.client;
    const card = (await all<RateCard>(`/rate-cards?legalEntityId=${de.id}`))[0]!;
    const input = {
      clientId: client.id,
      name: 'Line automation',
      billingModel: 'time-and-materials',
      currency: 'EUR',
      legalEntityId: de.id,
      rateCardId: card.id,
      budget: { amountMinor: 9_000_000, currency: 'EUR' },
      startDate: '2026-02-01',
      endDate: '2026-07-31',
      status: 'active',
      opportunityId: '01a216af-078d-7328-958b-9c6112d64661',
    };
    const wrongCurrency = await write<{ status: number }>('POST', '/projects', {
      ...input,
      currency: 'USD',
      budget: { amountMinor: 1, currency: 'USD' },
    });
    expect(wrongCurrency.status).toBe(422);
    const created = await write<Engagement>('POST', '/projects', input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...input, billingHold: false });
    expect(created.headers.get('location')).toBe(`/system/erp/v1/projects/${created.body.id}`);
    expect((await call<Engagement>('GET', `/projects/${created.body.id}`)).body).toEqual(created.body);
    const renamed = await write<Client>('PATCH', `/clients/${client.id}`, { name: 'Wernher Maschinenbau AG', taxId: 'DE 300 111 222' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: client.id, name: 'Wernher Maschinenbau AG', taxId: 'DE 300 111 222', status: 'active' });
    const held = await write<Engagement>('PATCH', `/projects/${created.body.id}`, { status: 'on-hold', billingHold: true });
    expect(held.body).toMatchObject({ status: 'on-hold', billingHold: true });
    // Every rule create enforces holds on update too, and a refused update changes nothing.
    const refusedUpdates: Array<[unknown, number, string]> = [
      [{ endDate: '2026-01-31' }, 400, '/endDate'],
      [{ budget: { amountMinor: 5, currency: 'USD' } }, 400, '/budget/currency'],
      [{ name: 'Line\u0000automation' }, 400, '/body/name'],
      [{ name: '\u001b[31mred' }, 400, '/body/name'],
      [{ budget: { amountMinor: true, currency: 'EUR' } }, 400, '/body/budget/amountMinor'],
      [{ name: 123 }, 400, '/body/name'],
    ];
    for (const [body, status, pointer] of refusedUpdates) {
      const refused = await write<{ status: number; errors?: Array<{ pointer: string }> }>('PATCH', `/projects/${created.body.id}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(status);
      expect(refused.body.errors?.map((e) => e.pointer) ?? [], JSON.stringify(body)).toContain(pointer);
    }
    expect((await call<Engagement>('GET', `/projects/${created.body.id}`)).body).toEqual(held.body);
    const refusedCreate = await write<{ status: number }>('POST', '/projects', { ...input, name: 'Bell\u0007project' });
    expect(refusedCreate.status).toBe(400);
    const listed = await all<Engagement>(`/projects?clientId=${client.id}`);
    expect(listed.map((p) => p.id)).toEqual([created.body.id]);
    const invoice = await write<{ status: number }>('POST', '/invoices', {
      engagementId: created.body.id,
      periodStart: '2026-02-01',
      periodEnd: '2026-02-28',
      lines: [
        {
          kind: 'time',
          description: 'Consultant',
          quantity: 60,
          unitPrice: { amountMinor: 16000, currency: 'EUR' },
          taxRateBasisPoints: 1900,
          sources: [],
        },
      ],
    });
    expect(invoice.status).toBe(422);
  });

  it('runs an invoice from draft to paid: post, hold, release, partial and full payments', async () => {
    const project = (await all<Engagement>('/projects')).find((p) => p.status === 'active' && !p.billingHold && p.currency === 'GBP')!;
    const timeEntry = '01a216af-078d-7328-958b-b1f91e1e9d5b';
    const draft = await write<Invoice>('POST', '/invoices', {
      engagementId: project.id,
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      issueDate: '2026-03-31',
      dueDate: '2026-04-30',
      post: false,
      lines: [
        {
          kind: 'time',
          description: 'Consultant, March',
          role: 'consultant',
          quantity: 450,
          unitPrice: { amountMinor: 14000, currency: 'GBP' },
          taxRateBasisPoints: 2000,
          sources: [{ kind: 'time-entry', id: timeEntry }],
        },
        {
          kind: 'expense',
          description: 'Rail travel',
          quantity: 1,
          unitPrice: { amountMinor: 8990, currency: 'GBP' },
          taxRateBasisPoints: 0,
          sources: [],
        },
      ],
    });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({
      status: 'draft',
      engagementId: project.id,
      clientId: project.clientId,
      currency: 'GBP',
      netTotal: { amountMinor: 113990, currency: 'GBP' },
      taxTotal: { amountMinor: 21000, currency: 'GBP' },
      total: { amountMinor: 134990, currency: 'GBP' },
      amountOutstanding: { amountMinor: 134990, currency: 'GBP' },
    });
    expect(draft.body.lines[0]).toMatchObject({
      quantity: 450,
      netAmount: { amountMinor: 105000, currency: 'GBP' },
      sources: [{ kind: 'time-entry', id: timeEntry }],
    });
    const id = draft.body.id;
    expect(
      (await write('POST', '/payments', { invoiceId: id, amount: { amountMinor: 100, currency: 'GBP' }, receivedOn: '2026-04-01' })).status,
    ).toBe(422);

    const postKey = idem();
    const posted = await call<Invoice>('POST', `/invoices/${id}/post`, { headers: postKey });
    expect(posted.body.status).toBe('posted');
    const replay = await call<Invoice>('POST', `/invoices/${id}/post`, { headers: postKey });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(posted.body);
    expect((await write('POST', `/invoices/${id}/post`)).status).toBe(409);

    const held = await write<Invoice>('POST', `/invoices/${id}/hold`, { reason: 'Client disputes March hours' });
    expect(held.body).toMatchObject({ status: 'on-hold', holdReason: 'Client disputes March hours' });
    expect((await write<Invoice>('POST', `/invoices/${id}/release`)).body.status).toBe('posted');

    const partial = await write<Payment>('POST', '/payments', {
      invoiceId: id,
      amount: { amountMinor: 50000, currency: 'GBP' },
      receivedOn: '2026-04-10',
      method: 'bank-transfer',
      reference: 'REMIT-1',
    });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      invoiceId: id,
      clientId: project.clientId,
      amount: { amountMinor: 50000, currency: 'GBP' },
      method: 'bank-transfer',
      reference: 'REMIT-1',
    });
    expect((await call<Invoice>('GET', `/invoices/${id}`)).body).toMatchObject({
      status: 'partially-paid',
      amountOutstanding: { amountMinor: 84990, currency: 'GBP' },
    });
    const over = await write<{ status: number }>('POST', '/payments', {
      invoiceId: id,
      amount: { amountMinor: 84991, currency: 'GBP' },
      receivedOn: '2026-04-20',
    });
    expect(over.status).toBe(422);
    expect(
      (await write('POST', '/payments', { invoiceId: id, amount: { amountMinor: 84990, currency: 'GBP' }, receivedOn: '2026-04-20' }))
        .status,
    ).toBe(201);
    const paid = (await call<Invoice>('GET', `/invoices/${id}`)).body;
    expect(paid).toMatchObject({
      status: 'paid',
      amountPaid: { amountMinor: 134990, currency: 'GBP' },
      amountOutstanding: { amountMinor: 0, currency: 'GBP' },
    });

    const payments = await all<Payment>(`/payments?invoiceId=${id}`);
    expect(payments.map((p) => p.amount.amountMinor).sort()).toEqual([50000, 84990]);
    expect((await call<Payment>('GET', `/payments/${partial.body.id}`)).body).toEqual(partial.body);
    const paidInvoices = await all<Invoice>(`/invoices?status=paid&clientId=${project.clientId}`);
    expect(paidInvoices.map((i) => i.id)).toContain(id);
    expect(paidInvoices.every((i) => i.status === 'paid')).toBe(true);
    const byProject = await all<Invoice>(`/invoices?engagementId=${project.id}`);
    expect(byProject.every((i) => i.engagementId === project.id)).toBe(true);
    expect(byProject.map((i) => i.id)).toContain(id);
  });

  it('refuses writes without erp:write and answers upstream failures as problem details', async () => {
    const entities = await all<LegalEntity>('/legal-entities');
    const forbidden = await call('POST', '/clients', {
      body: { name: 'X', billingCountry: 'GB', domain: 'x.example', legalEntityId: entities[0]!.id },
      headers: { ...readOnly, ...idem() },
    });
    expect(forbidden.status).toBe(403);
    sandbox.ctx.faults.set({ errorRate: 1, errorStatus: 500, paths: '/services/rest/record' });
    const failed = await call<{ type: string; status: number; platform: string }>('GET', `/legal-entities/${entities[0]!.id}`);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ type: '/problems/upstream-error', status: 502, platform: 'erp' });
  });
});
