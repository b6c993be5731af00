import { describe, expect, it } from 'vitest';
import type { LegalEntity, RateCard } from '../../system-apis/erp/canonical.js';
import { findRateCard, toBillingRateCard } from './rate-cards.js';
import { leadEffortMinutes } from './template.js';

const entities = [
  { id: 'le-de', country: 'DE' },
  { id: 'le-gb', country: 'GB' },
] as LegalEntity[];
const card = (over: Partial<RateCard>): RateCard => ({
  id: 'rc',
  name: 'Standard',
  currency: 'EUR',
  legalEntityId: 'le-de',
  effectiveFrom: '2026-01-01',
  effectiveTo: '2026-12-31',
  status: 'active',
  rates: [{ role: 'consultant', hourlyRate: { amountMinor: 16_000, currency: 'EUR' } }],
  ...over,
});

describe('rate card codes', () => {
  it('finds the active, firm-wide card of the country and year the code names', () => {
    const cards = [
      card({ id: 'old', status: 'superseded' }),
      card({ id: 'client', clientId: 'c1' }),
      card({ id: 'gb', legalEntityId: 'le-gb', currency: 'GBP' }),
      card({ id: 'de' }),
    ];
    expect(findRateCard('RC-DE-2026', cards, entities)?.id).toBe('de');
    expect(findRateCard('rc-gb-2026', cards, entities)?.id).toBe('gb');
    expect(findRateCard('RC-DE-2025', cards, entities)).toBeUndefined();
    expect(findRateCard('Standard', cards, entities)).toBeUndefined();
  });

  it('sizes the lead staffing request from the budget, at most full time over the contract', () => {
    const rates = toBillingRateCard(card({}));
    const terms = {
      billingModel: 'time-and-materials' as const,
      currency: 'EUR',
      startDate: '2026-12-07',
      endDate: '2026-12-11',
      legalEntityCode: 'DE',
      rateCard: rates,
    };
    // €1,600 at €160/h = 10 h
    expect(leadEffortMinutes({ ...terms, budget: { amountMinor: 160_000, currency: 'EUR' } }, rates)).toBe(600);
    // €1,000,000 would buy far more than one week of five 8-hour days
    expect(leadEffortMinutes({ ...terms, budget: { amountMinor: 100_000_000, currency: 'EUR' } }, rates)).toBe(5 * 8 * 60);
  });
});
