import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import {
  customerToClient, clientToCustomer, domainOf, instant, invoiceToCanonical, invoiceToNs, jobToProject, lineAmountMinor,
  paymentToCanonical, paymentToNs, projectToJob, rateCardToCanonical, subsidiaryToLegalEntity,
  type ErpEntity, type ToCanonicalContext, type ToVendorContext,
} from './mapping.js';
import { matchKeys, normaliseClientName, normaliseTaxId, sameClient } from './matching.js';
import type { NsCustomer, NsCustomerPayment, NsInvoice, NsJob, NsRateCard, NsSubsidiary } from './vendor-types.js';

const currencies: Record<string, string> = { '1': 'GBP', '2': 'USD', '4': 'EUR', '5': 'JPY', '6': 'KWD' };
// Canonical ids are `<entity>:<native>` here so both directions can be checked by eye.
const toCanonical: ToCanonicalContext = {
  currencyCode: (id) => currencies[id]!,
  canonicalId: (entity: ErpEntity, native: string) => `${entity}:${native}`,
};
const toVendor: ToVendorContext = {
  nsCurrencyId: (code) => Object.entries(currencies).find(([, c]) => c === code)![0],
  nativeId: (entity: ErpEntity, canonical: string) => canonical.replace(`${entity}:`, ''),
};

const invoice: NsInvoice = {
  links: [{ rel: 'self', href: 'https://tstdrv100001.suitetalk.api.netsuite.com/services/rest/record/v1/invoice/1042' }],
  id: '1042',
  externalId: 'inv-ext-1',
  tranId: 'INV-DE-000031',
  tranDate: '2026-03-31',
  dueDate: '2026-04-30',
  entity: { id: '311', refName: 'Müller & Söhne GmbH' },
  job: { id: '5120', refName: 'MUE-2026-01 ERP rollout' },
  subsidiary: { id: '3', refName: 'Northwind Consulting GmbH' },
  currency: { id: '4', refName: 'Euro' },
  item: {
    items: [
      { line: 1, item: { id: '1', refName: 'Professional Services' }, description: 'Senior consultant, March', quantity: 12.5, rate: 1250.5, amount: 15631.25, custcol_source_ref: 'te-1' },
      { line: 2, item: { id: '3', refName: 'Billable Expenses' }, description: 'Travel', quantity: 1, rate: 0.29, amount: 0.29 },
    ],
  },
  subtotal: 15631.54,
  total: 15631.54,
  amountRemaining: 5631.54,
  status: { id: 'A', refName: 'Open' },
  approvalStatus: { id: '2', refName: 'Approved' },
  custbody_billing_hold: false,
  dateCreated: '2026-03-31T09:15:00.000-07:00',
  lastModifiedDate: '2026-04-02T08:00:00Z',
};

describe('ERP mapping: invoices', () => {
  it('maps a NetSuite invoice to the canonical invoice with exact minor units', () => {
    const canonical = invoiceToCanonical(invoice, toCanonical);
    expect(canonical).toMatchObject({
      id: 'invoice:1042',
      number: 'INV-DE-000031',
      clientId: 'client:311',
      projectId: 'project:5120',
      legalEntityId: 'legal-entity:3',
      currency: 'EUR',
      issueDate: '2026-03-31',
      dueDate: '2026-04-30',
      status: 'partially-paid',
      onHold: false,
      total: { amountMinor: 1563154, currency: 'EUR' },
      amountDue: { amountMinor: 563154, currency: 'EUR' },
      createdAt: '2026-03-31T16:15:00Z',
      updatedAt: '2026-04-02T08:00:00Z',
    });
    expect(canonical.lines[1]).toEqual({
      kind: 'expense', description: 'Travel', quantity: 1,
      unitPrice: { amountMinor: 29, currency: 'EUR' }, amount: { amountMinor: 29, currency: 'EUR' },
    });
  });

  it('maps the status vocabulary, including Paid In Full and Pending Approval', () => {
    const status = (id: NsInvoice['status']['id'], remaining = invoice.total) =>
      invoiceToCanonical({ ...invoice, status: { id }, amountRemaining: remaining }, toCanonical).status;
    expect(status('A')).toBe('open');
    expect(status('A', 0.01)).toBe('partially-paid');
    expect(status('B', 0)).toBe('paid');
    expect(status('D')).toBe('pending-approval');
    expect(status('E')).toBe('rejected');
    expect(status('V')).toBe('void');
    expect(() => status('Z' as never)).toThrow(ProblemError);
  });

  it('refuses vendor amounts with more precision than the currency, as an upstream error', () => {
    const bad = { ...invoice, total: 100.005 };
    const err = (() => { try { invoiceToCanonical(bad, toCanonical); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(502);
    const yen = { ...invoice, currency: { id: '5' }, total: 15000.5, amountRemaining: 0, status: { id: 'B' as const }, item: { items: [] } };
    expect(() => invoiceToCanonical(yen, toCanonical)).toThrow(/more than 0 decimal/);
  });

  it('builds the create body from canonical input and round-trips the lines', () => {
    const canonical = invoiceToCanonical(invoice, toCanonical);
    const body = invoiceToNs({
      clientId: canonical.clientId, projectId: canonical.projectId, legalEntityId: canonical.legalEntityId,
      currency: 'EUR', issueDate: canonical.issueDate, dueDate: canonical.dueDate,
      lines: canonical.lines.map(({ amount: _amount, ...line }) => line), requireApproval: true,
    }, toVendor, '0190a1b2-0000-7000-8000-000000000001');
    expect(body).toMatchObject({
      entity: { id: '311' }, job: { id: '5120' }, subsidiary: { id: '3' }, currency: { id: '4' },
      tranDate: '2026-03-31', dueDate: '2026-04-30', approvalStatus: { id: '1' },
      externalId: '0190a1b2-0000-7000-8000-000000000001',
    });
    const items = (body.item as { items: unknown[] }).items;
    expect(items).toEqual([
      { item: { id: '1' }, description: 'Senior consultant, March', quantity: 12.5, rate: 1250.5, amount: 15631.25, custcol_source_ref: 'te-1' },
      { item: { id: '3' }, description: 'Travel', quantity: 1, rate: 0.29, amount: 0.29 },
    ]);
  });

  it('computes line amounts in integers, rounding half away from zero', () => {
    expect(lineAmountMinor(12.5, 125050)).toBe(1563125);
    expect(lineAmountMinor(0.3333, 100)).toBe(33);
    expect(lineAmountMinor(0.005, 100)).toBe(1); // 0.5 minor → 1
    expect(lineAmountMinor(-0.005, 100)).toBe(-1);
    expect(() => lineAmountMinor(0.00001, 100)).toThrow(/4 decimal/);
  });

  it('rejects a line priced in another currency than the invoice', () => {
    expect(() => invoiceToNs({
      clientId: 'client:1', legalEntityId: 'legal-entity:1', currency: 'GBP', issueDate: '2026-01-01',
      lines: [{ kind: 'time', quantity: 1, unitPrice: { amountMinor: 100, currency: 'EUR' } }],
    }, toVendor)).toThrow(/document currency is GBP/);
  });
});

describe('ERP mapping: payments', () => {
  const payment: NsCustomerPayment = {
    id: '2201', tranId: 'PYMT-0007', tranDate: '2026-04-10',
    customer: { id: '311', refName: 'Müller & Söhne GmbH' }, currency: { id: '4' },
    payment: 12000, applied: 10000, unapplied: 2000,
    apply: { items: [
      { doc: { id: '1042' }, apply: true, amount: 10000, due: 15631.54 },
      { doc: { id: '1043' }, apply: false, amount: 0, due: 250 },
    ] },
  };

  it('keeps only applied lines and computes the unapplied remainder', () => {
    expect(paymentToCanonical(payment, toCanonical)).toEqual({
      id: 'payment:2201', number: 'PYMT-0007', clientId: 'client:311', currency: 'EUR',
      amount: { amountMinor: 1200000, currency: 'EUR' }, unapplied: { amountMinor: 200000, currency: 'EUR' },
      receivedDate: '2026-04-10',
      applications: [{ invoiceId: 'invoice:1042', amount: { amountMinor: 1000000, currency: 'EUR' } }],
    });
  });

  it('round-trips a payment through the create body', () => {
    const canonical = paymentToCanonical(payment, toCanonical);
    const body = paymentToNs({ ...canonical }, toVendor);
    expect(body).toEqual({
      customer: { id: '311' }, currency: { id: '4' }, tranDate: '2026-04-10', payment: 12000,
      apply: { items: [{ doc: { id: '1042' }, apply: true, amount: 10000 }] },
    });
  });

  it('handles three-decimal currencies (KWD) exactly', () => {
    const kwd = paymentToCanonical({ ...payment, currency: { id: '6' }, payment: 1.235, apply: { items: [{ doc: { id: '9' }, apply: true, amount: 1.235 }] } }, toCanonical);
    expect(kwd.amount).toEqual({ amountMinor: 1235, currency: 'KWD' });
    expect(paymentToNs(kwd, toVendor).payment).toBe(1.235);
  });
});

describe('ERP mapping: master data', () => {
  const customer: NsCustomer = {
    id: '311', entityId: 'CUST-311', companyName: 'Müller & Söhne GmbH', subsidiary: { id: '3' }, currency: { id: '4' },
    url: 'https://www.mueller-soehne.example/de', vatRegNumber: 'DE 123 456 789', custentity_billing_country: 'de',
    isInactive: false, dateCreated: '2025-11-02T10:00:00Z', lastModifiedDate: '2026-01-05T12:30:00+01:00',
  };

  it('maps customers to clients and back', () => {
    const client = customerToClient(customer, toCanonical);
    expect(client).toEqual({
      id: 'client:311', name: 'Müller & Söhne GmbH', legalEntityId: 'legal-entity:3', currency: 'EUR',
      domain: 'mueller-soehne.example', taxId: 'DE 123 456 789', country: 'DE', active: true,
      createdAt: '2025-11-02T10:00:00Z', updatedAt: '2026-01-05T11:30:00Z',
    });
    const body = clientToCustomer(client, toVendor, 'c-1');
    expect(body).toMatchObject({
      companyName: 'Müller & Söhne GmbH', subsidiary: { id: '3' }, currency: { id: '4' },
      url: 'https://mueller-soehne.example', vatRegNumber: 'DE 123 456 789', isInactive: false, custentity_canonical_id: 'c-1',
    });
    expect(customerToClient({ ...customer, ...body, id: '311' } as NsCustomer, toCanonical).domain).toBe(client.domain);
  });

  it('maps jobs to projects with billing model, budget and status, and back', () => {
    const job: NsJob = {
      id: '5120', entityId: 'MUE-2026-01', companyName: 'ERP rollout', parent: { id: '311' }, subsidiary: { id: '3' },
      currency: { id: '4' }, jobBillingType: { id: 'FBM', refName: 'Fixed Bid, Milestone' }, entityStatus: { id: '2', refName: 'In Progress' },
      startDate: '2026-01-05', projectedEndDate: '2026-06-30', estimatedRevenue: 250000, custentity_rate_card: { id: '7' },
    };
    const project = jobToProject(job, toCanonical);
    expect(project).toEqual({
      id: 'project:5120', code: 'MUE-2026-01', name: 'ERP rollout', clientId: 'client:311', legalEntityId: 'legal-entity:3',
      billingModel: 'milestone', currency: 'EUR', budget: { amountMinor: 25000000, currency: 'EUR' },
      startDate: '2026-01-05', endDate: '2026-06-30', status: 'active', rateCardId: 'rate-card:7',
    });
    const { id: _id, ...input } = project;
    expect(projectToJob(input, toVendor)).toMatchObject({
      entityId: 'MUE-2026-01', parent: { id: '311' }, jobBillingType: { id: 'FBM' }, entityStatus: { id: '2' },
      estimatedRevenue: 250000, projectedEndDate: '2026-06-30', custentity_rate_card: { id: '7' },
    });
    expect(() => jobToProject({ ...job, startDate: '2026-02-30' }, toCanonical)).toThrow(/not a date/);
    expect(() => jobToProject({ ...job, jobBillingType: { id: 'XX' as never } }, toCanonical)).toThrow(/billing type/);
  });

  it('maps subsidiaries to legal entities and rate-card custom records', () => {
    const sub: NsSubsidiary = { id: '3', name: 'Northwind DE', legalName: 'Northwind Consulting GmbH', country: 'DE', currency: { id: '4' }, federalIdNumber: 'DE811111111', custrecord_tax_rules_ref: 'DE-VAT-19' };
    expect(subsidiaryToLegalEntity(sub, toCanonical)).toEqual({
      id: 'legal-entity:3', name: 'Northwind DE', legalName: 'Northwind Consulting GmbH', country: 'DE', currency: 'EUR',
      taxRulesRef: 'DE-VAT-19', taxId: 'DE811111111', active: true,
    });
    const card: NsRateCard = {
      id: '7', name: 'DE standard 2026', custrecord_rc_subsidiary: { id: '3' }, custrecord_rc_currency: { id: '4' },
      custrecord_rc_effective_from: '2026-01-01', custrecord_rc_rates: JSON.stringify([{ role: 'Consultant', rate: 150 }, { role: 'Partner', rate: '320.50' }]),
    };
    expect(rateCardToCanonical(card, toCanonical).rates).toEqual([
      { role: 'Consultant', hourlyRate: { amountMinor: 15000, currency: 'EUR' } },
      { role: 'Partner', hourlyRate: { amountMinor: 32050, currency: 'EUR' } },
    ]);
    expect(() => rateCardToCanonical({ ...card, custrecord_rc_rates: '{oops' }, toCanonical)).toThrow(/unreadable rates/);
  });

  it('normalises timestamps to UTC and rejects non-RFC 3339 ones', () => {
    expect(instant('2026-03-31T23:30:00-05:00', 't')).toBe('2026-04-01T04:30:00Z');
    expect(() => instant('31/03/2026 10:00', 't')).toThrow(ProblemError);
  });
});

describe('ERP client matching rules', () => {
  it('normalises case, accents, punctuation and legal forms', () => {
    expect(normaliseClientName('ACME Ltd.')).toBe('acme');
    expect(normaliseClientName('Acme Limited')).toBe('acme');
    expect(normaliseClientName('The Acme Group, Inc.')).toBe('acme');
    expect(normaliseClientName('Müller & Söhne G.m.b.H.')).toBe('muller and sohne');
    expect(normaliseClientName('Mueller and Soehne GmbH')).toBe('mueller and soehne');
    expect(normaliseClientName('Ltd')).toBe('ltd');
    expect(normaliseTaxId('gb 123-4567.89')).toBe('GB123456789');
    expect(domainOf('https://WWW.Acme.example:8443/about')).toBe('acme.example');
    expect(domainOf('billing@acme.example')).toBe('acme.example');
  });

  it('matches on normalised name plus domain or tax id, and not on name alone', () => {
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'ACME Limited', domain: 'https://www.acme.example' })).toBe(true);
    expect(sameClient({ name: 'Acme GmbH', taxId: 'DE 123' }, { name: 'acme', taxId: 'de123', domain: 'other.example' })).toBe(true);
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'Acme Ltd', domain: 'acme-rockets.example' })).toBe(false);
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'Apex Ltd', domain: 'acme.example' })).toBe(false);
    expect(matchKeys({ name: 'Acme' })).toEqual([]);
  });
});
