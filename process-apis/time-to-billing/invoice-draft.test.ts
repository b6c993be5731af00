import { describe, expect, it } from 'vitest';
import { loadRegionalRules } from '../../core/regional/rules.js';
import type { BillableTimeEntry, BillingEngagement } from '../kit/billing-model.js';
import { draftInvoice } from './invoice-draft.js';
import { monthlyPeriod, rateEntries, selectBillableEntries } from '../kit/rating.js';

const rules = loadRegionalRules();

const engagement: BillingEngagement = {
  id: 'eng-1',
  name: 'ERP rollout',
  clientId: 'client-1',
  legalEntityCode: 'UK01',
  currency: 'GBP',
  billingModel: 'time-and-materials',
  billingHold: false,
  rateCard: {
    id: 'rc-uk-2026',
    currency: 'GBP',
    rates: [
      { role: 'Consultant', hourlyRateMinor: 12_000, effectiveFrom: '2026-01-01', effectiveTo: '2026-10-31' },
      { role: 'Consultant', hourlyRateMinor: 12_500, effectiveFrom: '2026-11-01' },
      { role: 'Partner', hourlyRateMinor: 30_000, effectiveFrom: '2026-01-01' },
    ],
  },
};

function entry(id: string, patch: Partial<BillableTimeEntry> = {}): BillableTimeEntry {
  return {
    id,
    engagementId: 'eng-1',
    resourceId: 'r-1',
    role: 'Consultant',
    workDate: '2026-11-10',
    hoursHundredths: 150,
    billable: true,
    approved: true,
    billed: false,
    ...patch,
  };
}

const november = monthlyPeriod('2026-11-15');

describe('rating and billing periods', () => {
  it('computes calendar-month periods, leap years included', () => {
    expect(monthlyPeriod('2026-11-15')).toEqual({ key: '2026-11', start: '2026-11-01', end: '2026-11-30' });
    expect(monthlyPeriod('2028-02-03').end).toBe('2028-02-29');
  });

  it('rates by the card in force on the work date', () => {
    const { rated } = rateEntries([entry('a', { workDate: '2026-10-31' }), entry('b', { workDate: '2026-11-01' })], engagement.rateCard);
    expect(rated.map((r) => r.rate.hourlyRateMinor)).toEqual([12_000, 12_500]);
  });

  it('reports entries it cannot rate instead of dropping them', () => {
    const { rated, exceptions } = rateEntries(
      [entry('a', { role: 'Architect' }), entry('b', { hoursHundredths: 0 }), entry('c', { workDate: '2025-12-31' })],
      engagement.rateCard,
    );
    expect(rated).toHaveLength(0);
    expect(exceptions.map((e) => [e.entryId, e.reason])).toEqual([
      ['a', 'no-rate-for-role-on-date'],
      ['b', 'invalid-duration'],
      ['c', 'no-rate-for-role-on-date'],
    ]);
  });

  it('picks up late-approved entries from earlier periods, never billed or unapproved ones', () => {
    const picked = selectBillableEntries(
      [
        entry('late', { workDate: '2026-09-30' }),
        entry('billed', { billed: true }),
        entry('draft', { approved: false }),
        entry('internal', { billable: false }),
        entry('december', { workDate: '2026-12-01' }),
      ],
      november,
    );
    expect(picked.map((e) => e.id)).toEqual(['late']);
  });
});

describe('drafting an invoice', () => {
  it('groups time by role and rate, traceable to entries, with UK VAT', () => {
    const outcome = draftInvoice({
      engagement,
      period: november,
      customer: { country: 'GB' },
      entries: [
        entry('e1'),
        entry('e2', { hoursHundredths: 75 }),
        entry('e3', { role: 'Partner', hoursHundredths: 100 }),
        entry('e0', { workDate: '2026-10-20' }),
      ],
      expenses: [
        {
          id: 'x1',
          engagementId: 'eng-1',
          incurredOn: '2026-11-12',
          description: 'Train to client site',
          amount: { amountMinor: 8_950, currency: 'GBP' },
          billable: true,
          approved: true,
          billed: false,
        },
      ],
      milestones: [],
      rules,
    });
    expect(outcome.kind).toBe('invoice');
    if (outcome.kind !== 'invoice') return;
    const { draft } = outcome;
    expect(draft.lines.map((l) => [l.kind, l.quantity, l.unitPrice.amountMinor, l.amount.amountMinor, l.sourceIds])).toEqual([
      ['time', 90, 12_000, 18_000, ['e0']],
      ['time', 135, 12_500, 28_125, ['e1', 'e2']],
      ['time', 60, 30_000, 30_000, ['e3']],
      ['expense', 1, 8_950, 8_950, ['x1']],
    ]);
    expect(draft.subtotal).toEqual({ amountMinor: 85_075, currency: 'GBP' });
    expect(draft.tax).toMatchObject({ amountMinor: 17_015, rateBp: 2000, name: 'VAT' });
    expect(draft.total).toEqual({ amountMinor: 102_090, currency: 'GBP' });
    // Every source id appears on exactly one line.
    const ids = draft.lines.flatMap((l) => l.sourceIds);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rounds a line once in the currency minor unit', () => {
    const outcome = draftInvoice({
      engagement: {
        ...engagement,
        currency: 'JPY',
        rateCard: { id: 'rc-jp', currency: 'JPY', rates: [{ role: 'Consultant', hourlyRateMinor: 15_001, effectiveFrom: '2026-01-01' }] },
      },
      period: november,
      customer: { country: 'GB' },
      entries: [entry('e1', { hoursHundredths: 12 })],
      expenses: [],
      milestones: [],
      rules,
    });
    if (outcome.kind !== 'invoice') throw new Error(outcome.kind);
    // 0.12 h × 15001 = 1800.12 → 1800 yen
    expect(outcome.draft.lines[0].amount).toEqual({ amountMinor: 1800, currency: 'JPY' });
  });

  it('bills the recorded hours, not a rounding to minutes: 19.92 h at 160.00 is 3187.20', () => {
    const de = {
      ...engagement,
      legalEntityCode: 'DE01',
      currency: 'EUR',
      rateCard: { id: 'rc-de', currency: 'EUR', rates: [{ role: 'Consultant', hourlyRateMinor: 16_000, effectiveFrom: '2026-01-01' }] },
    };
    const outcome = draftInvoice({
      engagement: de,
      period: november,
      customer: { country: 'DE' },
      entries: [entry('e1', { hoursHundredths: 1_000 }), entry('e2', { hoursHundredths: 992 })],
      expenses: [],
      milestones: [],
      rules,
    });
    if (outcome.kind !== 'invoice') throw new Error(outcome.kind);
    const [line] = outcome.draft.lines;
    expect(line!.hoursHundredths, 'hours on the line = hours recorded').toBe(1_992);
    expect(line!.description).toBe('Consultant: 19.92 h');
    expect(line!.amount.amountMinor, '19.92 × 160.00, not 1195 min × 160 / 60 = 3186.67').toBe(318_720);
    expect(line!.quantity, 'minutes only for display').toBe(1_195);
  });

  it('taxes by the entity rule: per line for the UK, once on the net for Germany, lines adding up', () => {
    const lines = [entry('a', { hoursHundredths: 1 }), entry('b', { role: 'Partner', hoursHundredths: 1 })];
    const uk = draftInvoice({
      engagement,
      period: november,
      customer: { country: 'GB' },
      entries: lines,
      expenses: [],
      milestones: [],
      rules,
    });
    if (uk.kind !== 'invoice') throw new Error(uk.kind);
    // 1.25 (→ 0.25) and 3.00 (→ 0.60) of VAT, per line
    expect(uk.draft.lines.map((l) => l.taxAmount?.amountMinor)).toEqual([25, 60]);
    expect(uk.draft.tax.amountMinor).toBe(85);
    const deCard = { id: 'rc-de', currency: 'EUR', rates: [{ role: 'Consultant', hourlyRateMinor: 1_003, effectiveFrom: '2026-01-01' }] };
    const de = draftInvoice({
      engagement: { ...engagement, legalEntityCode: 'DE01', currency: 'EUR', rateCard: deCard },
      period: november,
      customer: { country: 'DE' },
      entries: [
        entry('a', { hoursHundredths: 100 }),
        entry('b', { hoursHundredths: 100, workDate: '2026-11-11' }),
        entry('c', { hoursHundredths: 100, workDate: '2026-11-12', role: 'Consultant' }),
      ],
      expenses: ['x1', 'x2'].map((id) => ({
        id,
        engagementId: 'eng-1',
        incurredOn: '2026-11-12',
        description: 'Taxi',
        amount: { amountMinor: 1_003, currency: 'EUR' },
        billable: true,
        approved: true,
        billed: false,
      })),
      milestones: [],
      rules,
    });
    if (de.kind !== 'invoice') throw new Error(de.kind);
    // Net 30.09 + 10.03 + 10.03 = 50.15; 19 % once is 9.5285 → 9.53 (per line it would be 5.72 + 1.91 + 1.91 = 9.54).
    expect(de.draft.tax.amountMinor, 'rounded once on the net').toBe(953);
    expect(
      de.draft.lines.reduce((sum, l) => sum + l.taxAmount!.amountMinor, 0),
      'the lines add up to it',
    ).toBe(953);
  });

  it('reverse-charges a foreign business customer of the German entity', () => {
    const outcome = draftInvoice({
      engagement: { ...engagement, legalEntityCode: 'DE01', currency: 'EUR', rateCard: { ...engagement.rateCard, currency: 'EUR' } },
      period: november,
      customer: { country: 'FR', taxId: 'FR40303265045' },
      entries: [entry('e1')],
      expenses: [],
      milestones: [],
      rules,
    });
    if (outcome.kind !== 'invoice') throw new Error(outcome.kind);
    expect(outcome.draft.tax).toMatchObject({ amountMinor: 0, rateBp: 0 });
    expect(outcome.draft.tax.note).toMatch(/Reverse charge/);
  });

  it('waits on billing hold and blocks on a currency mismatch', () => {
    const base = { period: november, customer: { country: 'GB' }, entries: [entry('e1')], expenses: [], milestones: [], rules };
    expect(draftInvoice({ ...base, engagement: { ...engagement, billingHold: true } }).kind).toBe('on-hold');
    const mismatch = draftInvoice({ ...base, engagement: { ...engagement, rateCard: { ...engagement.rateCard, currency: 'EUR' } } });
    expect(mismatch).toMatchObject({ kind: 'blocked' });
  });

  it('bills fixed-fee milestones on completion and ignores hours', () => {
    const outcome = draftInvoice({
      engagement: { ...engagement, billingModel: 'fixed-fee' },
      period: november,
      customer: { country: 'GB' },
      entries: [entry('e1')],
      expenses: [],
      milestones: [
        {
          id: 'm1',
          engagementId: 'eng-1',
          name: 'Design signed off',
          amount: { amountMinor: 500_000, currency: 'GBP' },
          completedOn: '2026-11-20',
          billed: false,
        },
        { id: 'm2', engagementId: 'eng-1', name: 'Go-live', amount: { amountMinor: 700_000, currency: 'GBP' }, billed: false },
        {
          id: 'm3',
          engagementId: 'eng-1',
          name: 'Kick-off',
          amount: { amountMinor: 100_000, currency: 'GBP' },
          completedOn: '2026-10-01',
          billed: true,
        },
      ],
      rules,
    });
    if (outcome.kind !== 'invoice') throw new Error(outcome.kind);
    expect(outcome.draft.lines.map((l) => l.sourceIds[0])).toEqual(['m1']);
    expect(outcome.draft.total.amountMinor).toBe(600_000);
  });

  it('has nothing to bill when every entry is billed', () => {
    const outcome = draftInvoice({
      engagement,
      period: november,
      customer: { country: 'GB' },
      entries: [entry('e1', { billed: true })],
      expenses: [],
      milestones: [],
      rules,
    });
    expect(outcome.kind).toBe('nothing-to-bill');
  });
});
