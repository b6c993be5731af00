import { describe, expect, it } from 'vitest';
import { loadRegionalRules } from '../../core/regional/rules.js';
import type { RateCard } from '../kit/billing-model.js';
import { validateContractTerms, type TermsContext, type WonOpportunity } from './contract-terms.js';

const rateCard: RateCard = {
  id: 'rc-uk',
  currency: 'GBP',
  rates: [
    { role: 'Consultant', hourlyRateMinor: 12_500, effectiveFrom: '2026-01-01' },
    { role: 'Partner', hourlyRateMinor: 30_000, effectiveFrom: '2027-01-01' },
  ],
};

const ctx: TermsContext = {
  rules: loadRegionalRules(),
  clientBillingCountry: 'GB',
  findRateCard: (code) => (code === 'UK-STANDARD' ? rateCard : undefined),
  requestedRoles: ['Consultant'],
};

const won: WonOpportunity = {
  id: 'opp-1',
  clientId: 'client-1',
  stage: 'closed-won',
  amount: { amountMinor: 12_000_000, currency: 'GBP' },
  contractTerms: {
    billingModel: 'time-and-materials',
    startDate: '2026-12-01',
    endDate: '2027-05-31',
    legalEntityCountry: null,
    rateCardCode: 'UK-STANDARD',
  },
};

describe('contract terms of a won opportunity', () => {
  it('accepts valid terms and maps the legal entity from the account billing country', () => {
    const result = validateContractTerms(won, ctx);
    expect(result).toMatchObject({
      ok: true,
      terms: { legalEntityCode: 'UK01', currency: 'GBP', billingModel: 'time-and-materials', budget: won.amount },
    });
  });

  it('prefers the legal-entity country on the deal', () => {
    const result = validateContractTerms({ ...won, contractTerms: { ...won.contractTerms, legalEntityCountry: 'US' } }, { ...ctx });
    // The US entity is chosen, but the GBP rate card still matches the GBP deal.
    expect(result).toMatchObject({ ok: true, terms: { legalEntityCode: 'US01' } });
  });

  it('lists every problem at once with pointers a CRM user can act on', () => {
    const result = validateContractTerms(
      {
        ...won,
        stage: 'negotiation',
        amount: { amountMinor: 0, currency: 'GBP' },
        contractTerms: {
          billingModel: null,
          startDate: '2027-06-01',
          endDate: '2027-01-01',
          legalEntityCountry: 'BR',
          rateCardCode: 'NOPE',
        },
      },
      ctx,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.pointer)).toEqual([
      '/stage',
      '/contractTerms/billingModel',
      '/amount',
      '/contractTerms/endDate',
      '/contractTerms/legalEntityCountry',
      '/contractTerms/rateCardCode',
    ]);
    expect(result.errors.find((e) => e.pointer === '/contractTerms/legalEntityCountry')?.detail).toMatch(/BR/);
  });

  it('refuses roles the rate card does not price at the start date, and a currency mismatch', () => {
    const unpriced = validateContractTerms(won, { ...ctx, requestedRoles: ['Consultant', 'Partner'] });
    expect(unpriced).toMatchObject({
      ok: false,
      errors: [{ pointer: '/contractTerms/rateCardCode', detail: expect.stringMatching(/Partner.*no rate/) }],
    });
    const mismatch = validateContractTerms({ ...won, amount: { amountMinor: 100, currency: 'EUR' } }, ctx);
    expect(mismatch).toMatchObject({ ok: false, errors: [{ detail: expect.stringMatching(/GBP but the deal is in EUR/) }] });
  });
});
