// Deterministic seed data: the small set (UK, German and US subsidiaries, a few customers,
// jobs, invoices and payments) for tests and the default start, and the large set
// (~100 customers, 2,000 jobs, invoices and payments) for benchmarks.
import type { SeededRandom } from '../kit/random.js';
import type { NsCustomer, NsInvoice, NsJob, NsProjectTask } from './vendor-types.js';
import { applyPayment, nextInvoiceNumber, nextPaymentNumber, recomputeInvoice, setApproval } from './ledger.js';
import { emptyState, nextId, timestamp, type ErpState } from './state.js';

export type SeedSize = 'small' | 'large';

const SEED_EPOCH = Date.parse('2026-01-05T09:00:00Z');
const DAY = 86_400_000;

const ROLES: Array<[string, Record<string, number>]> = [
  ['analyst', { GBP: 95, EUR: 110, USD: 120 }],
  ['consultant', { GBP: 140, EUR: 160, USD: 175 }],
  ['senior-consultant', { GBP: 185, EUR: 210, USD: 230 }],
  ['manager', { GBP: 240, EUR: 270, USD: 295 }],
  ['partner', { GBP: 380, EUR: 420, USD: 450 }],
];
const TAX_RATE: Record<string, number> = { GB: 20, DE: 19, US: 0 };

const SMALL_CUSTOMERS: Array<[string, string, string, string, string]> = [
  // name, domain, tax id, subsidiary country, billing country
  ['Acme Widgets Ltd', 'acme-widgets.example', 'GB123456789', 'GB', 'GB'],
  ['Brightwater Energy plc', 'brightwater.example', 'GB987654321', 'GB', 'GB'],
  ['Müller & Söhne GmbH', 'mueller-soehne.example', 'DE811234567', 'DE', 'DE'],
  ['Rheinland Logistik AG', 'rheinland-logistik.example', 'DE299876543', 'DE', 'DE'],
  ['Contoso Health Inc.', 'contoso-health.example', '12-3456789', 'US', 'US'],
  ['Fabrikam Retail LLC', 'fabrikam.example', '98-7654321', 'US', 'US'],
];

const NAME_PARTS = {
  first: [
    'Alder',
    'Beacon',
    'Cobalt',
    'Delta',
    'Ember',
    'Falcon',
    'Granite',
    'Harbor',
    'Iris',
    'Juniper',
    'Kestrel',
    'Lumen',
    'Meridian',
    'Northgate',
    'Orchid',
    'Pioneer',
    'Quarry',
    'Redwood',
    'Summit',
    'Tidal',
  ],
  second: ['Analytics', 'Foods', 'Motors', 'Pharma', 'Logistics', 'Media', 'Insurance', 'Retail', 'Energy', 'Systems'],
};
const LEGAL_FORM: Record<string, string[]> = { GB: ['Ltd', 'plc', 'LLP'], DE: ['GmbH', 'AG', 'KG'], US: ['Inc.', 'LLC', 'Corp.'] };

function at(offsetDays: number): string {
  return timestamp(new Date(SEED_EPOCH + offsetDays * DAY));
}

function date(offsetDays: number): string {
  return new Date(SEED_EPOCH + offsetDays * DAY).toISOString().slice(0, 10);
}

function seedReferenceData(state: ErpState): Record<string, string> {
  const currencies: Array<[string, string, number]> = [
    ['British Pound', 'GBP', 2],
    ['US Dollar', 'USD', 2],
    ['Euro', 'EUR', 2],
    ['Japanese Yen', 'JPY', 0],
    ['Kuwaiti Dinar', 'KWD', 3],
  ];
  const currencyIds: Record<string, string> = {};
  for (const [name, symbol, precision] of currencies) {
    const id = nextId(state, 'currency');
    currencyIds[symbol] = id;
    state.records.currency.set(id, { id, name, symbol, currencyPrecision: precision, isBaseCurrency: symbol === 'GBP', isInactive: false });
  }
  const subsidiaries: Array<[string, string, string, string, string, string]> = [
    ['Northwind UK', 'Northwind Consulting Ltd', 'GB', 'GBP', 'GB111222333', 'GB-VAT-20'],
    ['Northwind DE', 'Northwind Consulting GmbH', 'DE', 'EUR', 'DE811111111', 'DE-VAT-19'],
    ['Northwind US', 'Northwind Consulting Inc.', 'US', 'USD', '84-1234567', 'US-SALES-TAX'],
  ];
  const subsidiaryIds: Record<string, string> = {};
  for (const [name, legalName, country, currency, taxId, rules] of subsidiaries) {
    const id = nextId(state, 'subsidiary');
    subsidiaryIds[country] = id;
    state.records.subsidiary.set(id, {
      id,
      name,
      legalName,
      country,
      currency: { id: currencyIds[currency]!, refName: currency },
      federalIdNumber: taxId,
      tranPrefix: `NW-${country === 'GB' ? 'UK' : country}`,
      custrecord_tax_rules_ref: rules,
      isInactive: false,
      dateCreated: at(-400),
      lastModifiedDate: at(-400),
    });
    const cardId = nextId(state, 'customrecord_rate_card');
    state.records.customrecord_rate_card.set(cardId, {
      id: cardId,
      name: `${name} standard rates 2026`,
      externalId: `rate-card-${country.toLowerCase()}-2026`,
      custrecord_rc_subsidiary: { id, refName: name },
      custrecord_rc_currency: { id: currencyIds[currency]!, refName: currency },
      custrecord_rc_effective_from: '2026-01-01',
      custrecord_rc_effective_to: '2026-12-31',
      custrecord_rc_rates: JSON.stringify(ROLES.map(([role, rates]) => ({ role, rate: rates[currency] }))),
      custrecord_rc_status: { id: '2', refName: 'Active' },
      dateCreated: at(-30),
      lastModifiedDate: at(-30),
    });
  }
  return { ...Object.fromEntries(Object.entries(currencyIds).map(([k, v]) => [`cur:${k}`, v])), ...subsidiaryIds };
}

function addCustomer(
  state: ErpState,
  ids: Record<string, string>,
  name: string,
  domain: string,
  taxId: string,
  country: string,
  day: number,
): NsCustomer {
  const subsidiary = state.records.subsidiary.get(ids[country]!)!;
  const id = nextId(state, 'customer');
  const customer: NsCustomer = {
    id,
    entityId: `CUST-${id}`,
    companyName: name,
    isPerson: false,
    subsidiary: { id: subsidiary.id, refName: subsidiary.name },
    currency: subsidiary.currency,
    email: `accounts@${domain}`,
    url: `https://www.${domain}`,
    vatRegNumber: taxId,
    custentity_billing_country: country,
    isInactive: false,
    dateCreated: at(day),
    lastModifiedDate: at(day),
  };
  state.records.customer.set(id, customer);
  return customer;
}

const BILLING: Array<NsJob['jobBillingType']> = [
  { id: 'TM', refName: 'Time and Materials' },
  { id: 'FBI', refName: 'Fixed Bid, Interval' },
  { id: 'FBM', refName: 'Fixed Bid, Milestone' },
];
const JOB_STATUS = [
  { id: '2', refName: 'In Progress' },
  { id: '4', refName: 'Pending' },
  { id: '1', refName: 'Closed' },
];

function addJob(state: ErpState, customer: NsCustomer, n: number, rng: SeededRandom, day: number): NsJob {
  const id = nextId(state, 'job');
  const rateCard = [...state.records.customrecord_rate_card.values()].find((c) => c.custrecord_rc_subsidiary.id === customer.subsidiary.id);
  const job: NsJob = {
    id,
    entityId: `${customer.entityId}-P${String(n).padStart(2, '0')}`,
    companyName: `${customer.companyName} project ${n}`,
    parent: { id: customer.id, refName: customer.companyName },
    subsidiary: customer.subsidiary,
    currency: customer.currency,
    jobBillingType: rng.pick(BILLING),
    entityStatus: n === 1 ? JOB_STATUS[0]! : rng.pick(JOB_STATUS),
    startDate: date(day),
    projectedEndDate: date(day + rng.int(60, 240)),
    estimatedRevenue: rng.int(20, 400) * 1000,
    ...(rateCard ? { custentity_rate_card: { id: rateCard.id, refName: rateCard.name } } : {}),
    dateCreated: at(day),
    lastModifiedDate: at(day),
  };
  state.records.job.set(id, job);
  return job;
}

function addInvoice(state: ErpState, job: NsJob, rng: SeededRandom, day: number, approval: '1' | '2'): NsInvoice {
  const id = nextId(state, 'invoice');
  const card = job.custentity_rate_card ? state.records.customrecord_rate_card.get(job.custentity_rate_card.id) : undefined;
  const rates = card
    ? (JSON.parse(card.custrecord_rc_rates) as Array<{ role: string; rate: number }>)
    : [{ role: 'consultant', rate: 150 }];
  const taxRate1 = TAX_RATE[state.records.subsidiary.get(job.subsidiary.id)?.country ?? ''] ?? 0;
  const lines = Array.from({ length: rng.int(1, 3) }, () => {
    const role = rng.pick(rates);
    return {
      item: { id: '1', refName: 'Professional Services' },
      description: `${role.role} time`,
      quantity: rng.int(4, 80) / 2,
      rate: role.rate,
      taxRate1,
      custcol_role: role.role,
    };
  });
  const invoice = {
    id,
    tranId: nextInvoiceNumber(state, job.subsidiary.id),
    tranDate: date(day),
    dueDate: date(day + 30),
    custbody_period_start: date(day - 30),
    custbody_period_end: date(day - 1),
    entity: job.parent,
    job: { id: job.id, refName: job.entityId },
    subsidiary: job.subsidiary,
    currency: job.currency,
    item: { items: lines },
    total: 0,
    amountRemaining: 0,
    amountPaid: 0,
    status: { id: 'A' },
    approvalStatus: { id: approval },
    custbody_billing_hold: false,
    externalId: `seed-invoice-${id}`,
    dateCreated: at(day),
    lastModifiedDate: at(day),
  } as NsInvoice;
  setApproval(invoice, approval);
  recomputeInvoice(state, invoice);
  state.records.invoice.set(id, invoice);
  return invoice;
}

function addPayment(state: ErpState, invoice: NsInvoice, share: number, day: number): void {
  const id = nextId(state, 'customerPayment');
  const amount = share >= 1 ? invoice.amountRemaining : Math.floor(invoice.amountRemaining * share);
  const payment = {
    id,
    tranId: nextPaymentNumber(state),
    tranDate: date(day),
    customer: invoice.entity,
    subsidiary: invoice.subsidiary,
    currency: invoice.currency,
    payment: amount,
    paymentMethod: { id: '1', refName: 'Bank Transfer' },
    checkNum: invoice.tranId,
    apply: { items: [{ doc: { id: invoice.id }, apply: true, amount }] },
    dateCreated: at(day),
    lastModifiedDate: at(day),
  };
  applyPayment(state, payment);
  invoice.lastModifiedDate = at(day);
  state.records.customerPayment.set(id, payment);
}

const MILESTONES: Array<[string, number]> = [
  ['Discovery and plan agreed', 30],
  ['Solution delivered', 50],
  ['Acceptance and handover', 20],
];

/**
 * Billing milestones of the open fixed-bid projects (30/50/20 % of the budget): where the
 * project has an invoice, the first milestone is completed and billed on it and the second
 * is in progress; the rest are not started. Draws nothing from the random source, so the
 * rest of the seed is unchanged.
 */
function addMilestones(state: ErpState, job: NsJob): void {
  const invoice = [...state.records.invoice.values()].find((i) => i.job?.id === job.id && i.status.id !== 'D');
  const budgetMinor = Math.round((job.estimatedRevenue ?? 0) * 100);
  const start = Date.parse(`${job.startDate}T00:00:00Z`);
  const end = Date.parse(`${job.projectedEndDate}T00:00:00Z`);
  MILESTONES.forEach(([title, percent], i) => {
    const id = nextId(state, 'projectTask');
    const due = new Date(start + ((end - start) * (i + 1)) / MILESTONES.length).toISOString().slice(0, 10);
    const status = invoice && i === 0 ? 'COMPLETE' : invoice && i === 1 ? 'PROGRESS' : 'NOTSTART';
    const task: NsProjectTask & { isMilestone: boolean } = {
      id,
      project: { id: job.id, refName: job.companyName },
      title,
      isMilestone: true,
      status: { id: status, refName: { COMPLETE: 'Completed', PROGRESS: 'In Progress', NOTSTART: 'Not Started' }[status] },
      ...(job.startDate ? { startDate: job.startDate } : {}),
      finishByDate: due,
      custevent_ms_amount: Math.round((budgetMinor * percent) / 100) / 100,
      ...(status === 'COMPLETE' && invoice
        ? {
            custevent_ms_completed_on: invoice.custbody_period_end ?? invoice.tranDate,
            custevent_ms_invoice: { id: invoice.id, refName: invoice.tranId },
          }
        : {}),
      externalId: `seed-milestone-${id}`,
      dateCreated: job.dateCreated,
      lastModifiedDate: invoice?.dateCreated ?? job.dateCreated,
    };
    state.records.projectTask.set(id, task);
  });
}

export function seedErp(size: SeedSize, rng: SeededRandom): ErpState {
  const state = emptyState();
  const ids = seedReferenceData(state);
  const customers: NsCustomer[] = [];
  if (size === 'small') {
    SMALL_CUSTOMERS.forEach(([name, domain, taxId, country], i) =>
      customers.push(addCustomer(state, ids, name, domain, taxId, country, -200 + i)),
    );
  } else {
    const countries = ['GB', 'DE', 'US'];
    for (let i = 0; i < 100; i++) {
      const country = countries[i % 3]!;
      const base = `${NAME_PARTS.first[i % 20]} ${NAME_PARTS.second[Math.floor(i / 20) % 10]}${i >= 200 ? ` ${i}` : ''}`;
      const domain = `${base.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
      customers.push(
        addCustomer(
          state,
          ids,
          `${base} ${rng.pick(LEGAL_FORM[country]!)}`,
          domain,
          `${country}${String(100000000 + i * 7919)}`,
          country,
          -300 + i,
        ),
      );
    }
  }
  const jobsPerCustomer = size === 'small' ? 2 : 20;
  const jobs: NsJob[] = [];
  customers.forEach((customer, c) => {
    for (let n = 1; n <= jobsPerCustomer; n++) jobs.push(addJob(state, customer, n, rng, -180 + ((c * 7 + n) % 150)));
  });
  const invoicedJobs = size === 'small' ? jobs.filter((_, i) => i % 2 === 0) : jobs.filter((_, i) => i % 5 === 0);
  invoicedJobs.forEach((job, i) => {
    const invoice = addInvoice(state, job, rng, -60 + (i % 50), i % 6 === 5 ? '1' : '2');
    if (invoice.status.id !== 'A') return;
    if (i % 4 === 1) addPayment(state, invoice, 1, -20 + (i % 15));
    else if (i % 4 === 2) addPayment(state, invoice, 0.4, -20 + (i % 15));
  });
  if (size === 'small')
    for (const job of jobs) if (job.jobBillingType.id !== 'TM' && job.entityStatus.id !== '1') addMilestones(state, job);
  return state;
}
