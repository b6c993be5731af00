import { describe, expect, it } from 'vitest';
import { loadRegionalRules, taxAmount, RegionalRules } from './rules.js';

const rules = loadRegionalRules();

describe('regional rules', () => {
  it('maps a billing country to the legal entity that serves it', () => {
    expect(rules.entityForBillingCountry('GB')?.code).toBe('UK01');
    expect(rules.entityForBillingCountry('at')?.code).toBe('DE01');
    expect(rules.entityForBillingCountry('US')?.code).toBe('US01');
    expect(rules.entityForBillingCountry('BR')).toBeUndefined();
  });

  it('charges domestic VAT and reverse-charges a foreign business', () => {
    expect(rules.taxFor('UK01', { country: 'GB' })).toMatchObject({ rateBp: 2000, reverseCharge: false });
    expect(rules.taxFor('DE01', { country: 'FR', taxId: 'FR40303265045' })).toMatchObject({ rateBp: 0, reverseCharge: true });
    // A foreign consumer without a tax id still pays the entity's VAT.
    expect(rules.taxFor('DE01', { country: 'FR' })).toMatchObject({ rateBp: 1900, reverseCharge: false });
  });

  it('applies US sales tax by the customer region only', () => {
    expect(rules.taxFor('US01', { country: 'US', region: 'US-CA' }).rateBp).toBe(0);
    expect(rules.taxFor('US01', { country: 'US', region: 'US-NM' }).rateBp).toBe(487);
    expect(rules.taxFor('US01', { country: 'CA', region: 'US-NM' }).rateBp).toBe(0);
  });

  it('numbers invoices per entity pattern', () => {
    expect(rules.invoiceNumber('UK01', 42, '2026-11-30')).toBe('UK-2026-000042');
    expect(rules.invoiceNumber('DE01', 7, '2027-01-31')).toBe('RE-2027-00007');
  });

  it('refuses an unknown legal entity with a business-rule problem', () => {
    expect(() => rules.entity('FR01')).toThrow(/No regional rules for legal entity FR01/);
  });

  it('refuses two entities serving one billing country', () => {
    const [uk] = rules.legalEntities;
    expect(() => new RegionalRules([uk, { ...uk, code: 'UK02' }])).toThrow(/served by both UK01 and UK02/);
  });

  it('rounds tax once per invoice in minor units', () => {
    expect(taxAmount({ amountMinor: 12_345, currency: 'GBP' }, 2000)).toEqual({ amountMinor: 2469, currency: 'GBP' });
    // 1.25 * 19% = 0.2375 -> 0.24
    expect(taxAmount({ amountMinor: 125, currency: 'EUR' }, 1900).amountMinor).toBe(24);
    // exactly half: 0.5 minor -> away from zero; banker's keeps it even
    expect(taxAmount({ amountMinor: 50, currency: 'USD' }, 100).amountMinor).toBe(1);
    expect(taxAmount({ amountMinor: 50, currency: 'USD' }, 100, 'half-even').amountMinor).toBe(0);
    expect(taxAmount({ amountMinor: -12_345, currency: 'GBP' }, 2000).amountMinor).toBe(-2469);
  });
});
