import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../core/problems.js';
import {
  clientToCustomer,
  clientUpdateToCustomer,
  customerToClient,
  domainOf,
  instant,
  jobToEngagement,
  projectToJob,
  projectUpdateToJob,
  rateCardToCanonical,
  subsidiaryToLegalEntity,
  type ErpEntity,
  type ToCanonicalContext,
  type ToVendorContext,
} from './mapping.js';
import {
  applicationNativeId,
  invoiceToCanonical,
  invoiceToNs,
  paymentApplications,
  paymentToCanonical,
  paymentToNs,
} from './mapping-billing.js';
import { matchKeys, normaliseClientName, normaliseTaxId, sameClient } from './matching.js';
import type { NsCustomer, NsCustomerPayment, NsInvoice, NsJob, NsRateCard, NsSubsidiary } from './vendor-types.js';
import type { InvoiceCreate } from './canonical.js';

const currencies: Record<string, string> = { '1': 'GBP', '2': 'USD', '3': 'EUR', '4': 'JPY', '5': 'KWD' };
// Canonical ids are `<entity>:<native>` here so both directions can be checked by eye.
const toCanonical: ToCanonicalContext = {
  currencyCode: (id) => currencies[id]!,
  canonicalId: (entity: ErpEntity, native: string) => `${entity}:${native}`,
};
const toVendor: ToVendorContext = {
  nsCurrencyId: (code) => Object.entries(currencies).find(([, c]) => c === code)![0],
  nativeId: (entity: ErpEntity, canonical: string) => canonical.replace(`${entity}:`, ''),
};
const TE1 = '0190a1b2-0000-7000-8000-000000000001';
const OPP = '0190a1b2-0000-7000-8000-0000000000ff';

const invoice: NsInvoice = {
  links: [{ rel: 'self', href: 'https://tstdrv100001.suitetalk.api.netsuite.com/services/rest/record/v1/invoice/1042' }],
  id: '1042',
  tranId: 'NW-DE-INV-000031',
  tranDate: '2026-03-31',
  dueDate: '2026-04-30',
  custbody_period_start: '2026-03-01',
  custbody_period_end: '2026-03-31',
  entity: { id: '311', refName: 'Müller & Söhne GmbH' },
  job: { id: '5120', refName: 'MUE-2026-01 ERP rollout' },
  subsidiary: { id: '2', refName: 'Northwind DE' },
  currency: { id: '3', refName: 'EUR' },
  item: {
    items: [
      {
        line: 1,
        item: { id: '1', refName: 'Professional Services' },
        description: 'Senior consultant, March',
        quantity: 12.5,
        rate: 1250.5,
        amount: 15631.25,
        taxRate1: 19,
        tax1Amt: 2969.94,
        custcol_role: 'senior-consultant',
        custcol_source_refs: JSON.stringify([{ kind: 'time-entry', id: TE1 }]),
      },
      {
        line: 2,
        item: { id: '3', refName: 'Billable Expenses' },
        description: 'Travel',
        quantity: 1,
        rate: 0.29,
        amount: 0.29,
        taxRate1: 0,
        tax1Amt: 0,
      },
    ],
  },
  subtotal: 15631.54,
  taxTotal: 2969.94,
  total: 18601.48,
  amountPaid: 13000,
  amountRemaining: 5601.48,
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
      number: 'NW-DE-INV-000031',
      engagementId: 'engagement:5120',
      clientId: 'client:311',
      legalEntityId: 'legal-entity:2',
      currency: 'EUR',
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      issueDate: '2026-03-31',
      dueDate: '2026-04-30',
      status: 'partially-paid',
      netTotal: { amountMinor: 1563154, currency: 'EUR' },
      taxTotal: { amountMinor: 296994, currency: 'EUR' },
      total: { amountMinor: 1860148, currency: 'EUR' },
      amountPaid: { amountMinor: 1300000, currency: 'EUR' },
      amountOutstanding: { amountMinor: 560148, currency: 'EUR' },
    });
    expect(canonical.lines).toEqual([
      {
        id: 'invoice-line:1042:1',
        kind: 'time',
        description: 'Senior consultant, March',
        role: 'senior-consultant',
        quantity: 750,
        hours: '12.50',
        unitPrice: { amountMinor: 125050, currency: 'EUR' },
        netAmount: { amountMinor: 1563125, currency: 'EUR' },
        taxRateBasisPoints: 1900,
        taxAmount: { amountMinor: 296994, currency: 'EUR' },
        sources: [{ kind: 'time-entry', id: TE1 }],
      },
      {
        id: 'invoice-line:1042:2',
        kind: 'expense',
        description: 'Travel',
        quantity: 1,
        unitPrice: { amountMinor: 29, currency: 'EUR' },
        netAmount: { amountMinor: 29, currency: 'EUR' },
        taxRateBasisPoints: 0,
        taxAmount: { amountMinor: 0, currency: 'EUR' },
        sources: [],
      },
    ]);
  });

  it('maps the status vocabulary: draft, posted, partially paid, paid, on hold, void', () => {
    const status = (patch: Partial<NsInvoice>) => invoiceToCanonical({ ...invoice, ...patch }, toCanonical).status;
    expect(status({ status: { id: 'A' }, amountPaid: 0 })).toBe('posted');
    expect(status({ status: { id: 'A' }, amountPaid: 0.01 })).toBe('partially-paid');
    expect(status({ status: { id: 'B' }, amountRemaining: 0 })).toBe('paid');
    expect(status({ status: { id: 'D' }, amountPaid: 0 })).toBe('draft');
    expect(status({ status: { id: 'A' }, custbody_billing_hold: true, custbody_hold_reason: 'Disputed' })).toBe('on-hold');
    expect(invoiceToCanonical({ ...invoice, custbody_billing_hold: true, custbody_hold_reason: 'Disputed' }, toCanonical).holdReason).toBe(
      'Disputed',
    );
    expect(status({ status: { id: 'B' }, custbody_billing_hold: true })).toBe('paid');
    expect(status({ status: { id: 'V' } })).toBe('void');
    expect(status({ status: { id: 'E' } })).toBe('void');
    expect(() => status({ status: { id: 'Z' as never } })).toThrow(ProblemError);
  });

  it('refuses vendor amounts with more precision than the currency, as a 502', () => {
    const err = (() => {
      try {
        invoiceToCanonical({ ...invoice, total: 100.005 }, toCanonical);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(502);
    const yen = {
      ...invoice,
      currency: { id: '4' },
      subtotal: 15000.5,
      taxTotal: 0,
      total: 15000,
      amountPaid: 0,
      amountRemaining: 0,
      item: { items: [] },
    };
    expect(() => invoiceToCanonical(yen, toCanonical)).toThrow(/more than 0 decimal/);
    expect(() => invoiceToCanonical({ ...invoice, job: undefined }, toCanonical)).toThrow(/not billed to a project/);
  });

  it('builds the create body with integer net and tax, and round-trips the lines', () => {
    const canonical = invoiceToCanonical(invoice, toCanonical);
    const body = invoiceToNs(
      {
        engagementId: canonical.engagementId,
        periodStart: canonical.periodStart,
        periodEnd: canonical.periodEnd,
        issueDate: canonical.issueDate,
        dueDate: canonical.dueDate,
        post: false,
        lines: canonical.lines.map(({ id: _id, netAmount: _n, taxAmount: _t, ...line }) => line),
      },
      { customerId: '311', jobId: '5120', subsidiaryId: '2', currency: 'EUR' },
      toVendor,
    );
    expect(body).toMatchObject({
      entity: { id: '311' },
      job: { id: '5120' },
      subsidiary: { id: '2' },
      currency: { id: '3' },
      tranDate: '2026-03-31',
      dueDate: '2026-04-30',
      custbody_period_start: '2026-03-01',
      custbody_period_end: '2026-03-31',
      approvalStatus: { id: '1' },
    });
    const items = (body.item as { items: Array<Record<string, unknown>> }).items;
    expect(items[0]).toEqual({
      item: { id: '1' },
      description: 'Senior consultant, March',
      quantity: 12.5,
      rate: 1250.5,
      taxRate1: 19,
      custcol_role: 'senior-consultant',
      custcol_source_refs: JSON.stringify([{ kind: 'time-entry', id: TE1 }]),
    });
    // ERP computes amount and tax; with its figures the lines come back as they were.
    const computed = items.map((l, i) => ({
      ...l,
      line: i + 1,
      amount: invoice.item.items[i]!.amount,
      tax1Amt: invoice.item.items[i]!.tax1Amt,
    }));
    const back = invoiceToCanonical({ ...invoice, item: { items: computed as never } }, toCanonical);
    expect(back.lines).toEqual(canonical.lines);
  });

  /** The NetSuite line a one-line time invoice is sent as. */
  const sentTimeLine = (line: Omit<InvoiceCreate['lines'][number], 'kind' | 'sources'>) => {
    const body = invoiceToNs(
      {
        engagementId: 'engagement:1',
        periodStart: '2026-01-01',
        periodEnd: '2026-01-31',
        post: true,
        lines: [{ kind: 'time', sources: [], ...line }],
      },
      { customerId: '1', jobId: '2', subsidiaryId: '1', currency: line.unitPrice.currency },
      toVendor,
    );
    return (body.item as { items: Array<Record<string, unknown>> }).items[0]!;
  };

  it('keeps odd minutes exact through hours with 6 decimals', () => {
    const line = sentTimeLine({
      description: 'Analyst',
      quantity: 20,
      unitPrice: { amountMinor: 9500, currency: 'GBP' },
      taxRateBasisPoints: 2000,
    });
    expect(line, 'minutes without hours: the amount is minutes × rate / 60, tax left to ERP').toMatchObject({
      quantity: 0.333333,
      amount: 31.67,
    });
    expect(line.tax1Amt, 'ERP computes the tax').toBeUndefined();
    expect(Math.round((line.quantity as number) * 60)).toBe(20);
  });

  it('sends recorded hours as the exact quantity and leaves amount and tax to ERP', () => {
    const line = sentTimeLine({
      description: 'Consultant',
      quantity: 1195,
      hours: '19.92',
      unitPrice: { amountMinor: 16000, currency: 'EUR' },
      taxRateBasisPoints: 1900,
    });
    expect(line.quantity, 'the hours, not 1195 minutes / 60').toBe(19.92);
    expect(line.rate).toBe(160);
    expect(line.amount, 'NetSuite computes quantity × rate').toBeUndefined();
    expect(line.tax1Amt, 'NetSuite computes the tax').toBeUndefined();
  });

  it('rounds half away from zero in integers and rejects mixed currencies', () => {
    expect(() =>
      invoiceToNs(
        {
          engagementId: 'engagement:1',
          periodStart: '2026-01-01',
          periodEnd: '2026-01-31',
          post: true,
          lines: [
            {
              kind: 'time',
              description: 'x',
              quantity: 60,
              unitPrice: { amountMinor: 100, currency: 'EUR' },
              taxRateBasisPoints: 0,
              sources: [],
            },
          ],
        },
        { customerId: '1', jobId: '2', subsidiaryId: '1', currency: 'GBP' },
        toVendor,
      ),
    ).toThrow(/document currency is GBP/);
  });
});

describe('ERP mapping: payments', () => {
  const payment: NsCustomerPayment = {
    id: '2201',
    tranId: 'PYMT-0007',
    tranDate: '2026-04-10',
    customer: { id: '311' },
    currency: { id: '3' },
    payment: 12000,
    applied: 10000,
    unapplied: 2000,
    paymentMethod: { id: '1', refName: 'Bank Transfer' },
    checkNum: 'NW-DE-INV-000031',
    apply: {
      items: [
        { doc: { id: '1042' }, apply: true, amount: 10000, due: 18601.48 },
        { doc: { id: '1043' }, apply: false, amount: 0, due: 250 },
      ],
    },
  };

  it('maps each applied line to one canonical payment', () => {
    const applications = paymentApplications(payment);
    expect(applications).toHaveLength(1);
    expect(paymentToCanonical(payment, applications[0]!, toCanonical)).toEqual({
      id: `payment:${applicationNativeId('2201', '1042')}`,
      invoiceId: 'invoice:1042',
      clientId: 'client:311',
      amount: { amountMinor: 1000000, currency: 'EUR' },
      receivedOn: '2026-04-10',
      method: 'bank-transfer',
      reference: 'NW-DE-INV-000031',
    });
  });

  it('builds the payment body applied to one invoice, and round-trips it', () => {
    const body = paymentToNs(
      {
        invoiceId: 'invoice:1042',
        amount: { amountMinor: 1000000, currency: 'EUR' },
        receivedOn: '2026-04-10',
        method: 'bank-transfer',
        reference: 'R1',
      },
      { id: '1042', customerId: '311', currency: 'EUR' },
      toVendor,
    );
    expect(body).toEqual({
      customer: { id: '311' },
      currency: { id: '3' },
      tranDate: '2026-04-10',
      payment: 10000,
      apply: { items: [{ doc: { id: '1042' }, apply: true, amount: 10000 }] },
      paymentMethod: { id: '1' },
      checkNum: 'R1',
    });
    const back = paymentToCanonical(
      { ...(body as unknown as NsCustomerPayment), id: '9' },
      (body as unknown as NsCustomerPayment).apply.items[0]!,
      toCanonical,
    );
    expect(back.amount).toEqual({ amountMinor: 1000000, currency: 'EUR' });
  });

  it('handles three-decimal currencies (KWD) exactly and refuses a payment in another currency', () => {
    const kwd = { ...payment, currency: { id: '5' }, apply: { items: [{ doc: { id: '9' }, apply: true, amount: 1.235 }] } };
    expect(paymentToCanonical(kwd, kwd.apply.items[0]!, toCanonical).amount).toEqual({ amountMinor: 1235, currency: 'KWD' });
    expect(
      paymentToNs(
        { invoiceId: 'x', amount: { amountMinor: 1235, currency: 'KWD' }, receivedOn: '2026-01-01' },
        { id: '9', customerId: '1', currency: 'KWD' },
        toVendor,
      ).payment,
    ).toBe(1.235);
    expect(() =>
      paymentToNs(
        { invoiceId: 'x', amount: { amountMinor: 1, currency: 'EUR' }, receivedOn: '2026-01-01' },
        { id: '9', customerId: '1', currency: 'KWD' },
        toVendor,
      ),
    ).toThrow(ProblemError);
  });
});

describe('ERP mapping: master data', () => {
  const customer: NsCustomer = {
    id: '311',
    entityId: 'CUST-311',
    companyName: 'Müller & Söhne GmbH',
    subsidiary: { id: '2' },
    currency: { id: '3' },
    url: 'https://www.mueller-soehne.example/de',
    vatRegNumber: 'de 123 456 789',
    custentity_billing_country: 'de',
    isInactive: false,
    dateCreated: '2025-11-02T10:00:00Z',
    lastModifiedDate: '2026-01-05T12:30:00+01:00',
  };

  it('maps customers to clients and back', () => {
    expect(customerToClient(customer, toCanonical, 'GB')).toEqual({
      id: 'client:311',
      name: 'Müller & Söhne GmbH',
      billingCountry: 'DE',
      defaultCurrency: 'EUR',
      taxId: 'DE 123 456 789',
      legalEntityId: 'legal-entity:2',
      status: 'active',
      createdAt: '2025-11-02T10:00:00Z',
      updatedAt: '2026-01-05T11:30:00Z',
    });
    expect(customerToClient({ ...customer, custentity_billing_country: undefined }, toCanonical, 'GB').billingCountry).toBe('GB');
    expect(
      clientToCustomer(
        {
          name: 'Müller & Söhne GmbH',
          billingCountry: 'DE',
          domain: 'https://www.Mueller-Soehne.example/x',
          taxId: 'DE123',
          legalEntityId: 'legal-entity:2',
        },
        'EUR',
        toVendor,
        'c-1',
      ),
    ).toEqual({
      companyName: 'Müller & Söhne GmbH',
      isPerson: false,
      subsidiary: { id: '2' },
      currency: { id: '3' },
      custentity_billing_country: 'DE',
      url: 'https://mueller-soehne.example',
      vatRegNumber: 'DE123',
      custentity_canonical_id: 'c-1',
    });
    expect(clientUpdateToCustomer({ status: 'inactive', name: 'Müller und Söhne GmbH' })).toEqual({
      companyName: 'Müller und Söhne GmbH',
      isInactive: true,
    });
  });

  it('maps jobs to engagements with billing model, budget, hold and status, and back', () => {
    const job: NsJob = {
      id: '5120',
      entityId: 'MUE-2026-01',
      companyName: 'ERP rollout',
      parent: { id: '311' },
      subsidiary: { id: '2' },
      currency: { id: '3' },
      jobBillingType: { id: 'FBM', refName: 'Fixed Bid, Milestone' },
      entityStatus: { id: '5', refName: 'On Hold' },
      startDate: '2026-01-05',
      projectedEndDate: '2026-06-30',
      estimatedRevenue: 250000,
      custentity_rate_card: { id: '7' },
      custentity_billing_hold: true,
      custentity_opportunity_id: OPP,
      dateCreated: '2026-01-02T08:00:00Z',
      lastModifiedDate: '2026-01-05T08:00:00Z',
    };
    const engagement = jobToEngagement(job, toCanonical);
    expect(engagement).toEqual({
      id: 'engagement:5120',
      clientId: 'client:311',
      opportunityId: OPP,
      code: 'MUE-2026-01',
      name: 'ERP rollout',
      billingModel: 'milestone',
      currency: 'EUR',
      legalEntityId: 'legal-entity:2',
      rateCardId: 'rate-card:7',
      budget: { amountMinor: 25000000, currency: 'EUR' },
      startDate: '2026-01-05',
      endDate: '2026-06-30',
      status: 'on-hold',
      billingHold: true,
      createdAt: '2026-01-02T08:00:00Z',
      updatedAt: '2026-01-05T08:00:00Z',
    });
    const { id: _id, code: _code, createdAt: _c, updatedAt: _u, status: _s, ...input } = engagement;
    expect(projectToJob({ ...input, status: 'active' }, toVendor, 'canon-1')).toEqual({
      companyName: 'ERP rollout',
      parent: { id: '311' },
      subsidiary: { id: '2' },
      currency: { id: '3' },
      jobBillingType: { id: 'FBM' },
      entityStatus: { id: '2' },
      startDate: '2026-01-05',
      projectedEndDate: '2026-06-30',
      estimatedRevenue: 250000,
      custentity_rate_card: { id: '7' },
      custentity_opportunity_id: OPP,
      custentity_billing_hold: true,
      custentity_canonical_id: 'canon-1',
    });
    expect(projectUpdateToJob({ status: 'completed', billingHold: false }, 'EUR', toVendor)).toEqual({
      entityStatus: { id: '1' },
      custentity_billing_hold: false,
    });
    expect(jobToEngagement({ ...job, startDate: undefined }, toCanonical).startDate).toBe('2026-01-02');
    expect(() => jobToEngagement({ ...job, startDate: '2026-02-30' }, toCanonical)).toThrow(/not a date/);
    expect(() => jobToEngagement({ ...job, jobBillingType: { id: 'XX' as never } }, toCanonical)).toThrow(/billing type/);
  });

  it('maps subsidiaries to legal entities and rate-card custom records', () => {
    const sub: NsSubsidiary = {
      id: '2',
      name: 'Northwind DE',
      legalName: 'Northwind Consulting GmbH',
      country: 'DE',
      currency: { id: '3' },
      federalIdNumber: 'DE811111111',
      tranPrefix: 'NW-DE',
      custrecord_tax_rules_ref: 'DE-VAT-19',
    };
    expect(subsidiaryToLegalEntity(sub, toCanonical)).toEqual({
      id: 'legal-entity:2',
      code: 'NW-DE',
      name: 'Northwind DE',
      legalName: 'Northwind Consulting GmbH',
      country: 'DE',
      baseCurrency: 'EUR',
      taxRegistrationId: 'DE811111111',
      taxRulesRef: 'DE-VAT-19',
      status: 'active',
    });
    const card: NsRateCard = {
      id: '7',
      name: 'DE standard 2026',
      custrecord_rc_subsidiary: { id: '2' },
      custrecord_rc_currency: { id: '3' },
      custrecord_rc_effective_from: '2026-01-01',
      custrecord_rc_rates: JSON.stringify([
        { role: 'consultant', rate: 150 },
        { role: 'Senior Consultant', rate: '320.50' },
      ]),
    };
    expect(rateCardToCanonical(card, toCanonical)).toEqual({
      id: 'rate-card:7',
      name: 'DE standard 2026',
      currency: 'EUR',
      legalEntityId: 'legal-entity:2',
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
      rates: [
        { role: 'consultant', hourlyRate: { amountMinor: 15000, currency: 'EUR' } },
        { role: 'senior-consultant', hourlyRate: { amountMinor: 32050, currency: 'EUR' } },
      ],
      status: 'active',
    });
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
    expect(normaliseClientName('Ltd')).toBe('ltd');
    expect(normaliseTaxId('gb 123-4567.89')).toBe('GB123456789');
    expect(domainOf('https://WWW.Acme.example:8443/about')).toBe('acme.example');
    expect(domainOf('billing@acme.example')).toBe('acme.example');
  });

  it('matches on normalised name plus domain or tax id, and not on name alone', () => {
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'ACME Limited', domain: 'https://www.acme.example' })).toBe(
      true,
    );
    expect(sameClient({ name: 'Acme GmbH', taxId: 'DE 123' }, { name: 'acme', taxId: 'de123', domain: 'other.example' })).toBe(true);
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'Acme Ltd', domain: 'acme-rockets.example' })).toBe(false);
    expect(sameClient({ name: 'Acme Ltd', domain: 'acme.example' }, { name: 'Apex Ltd', domain: 'acme.example' })).toBe(false);
    expect(matchKeys({ name: 'Acme' })).toEqual([]);
  });
});
