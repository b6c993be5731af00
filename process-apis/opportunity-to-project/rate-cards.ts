// Resolves the rate card a CRM user names on the opportunity (`RC-<country>-<year>`, the
// firm's convention) to the ERP rate card: the active card of the legal entity in that
// country that takes effect in that year and is not specific to one client.
import type { LegalEntity, RateCard as ErpRateCard } from '../../system-apis/erp/canonical.js';
import type { RateCard } from '../kit/billing-model.js';

const CODE = /^RC-([A-Z]{2})-(\d{4})$/;

export function findRateCard(code: string, cards: readonly ErpRateCard[], entities: readonly LegalEntity[]): ErpRateCard | undefined {
  const match = CODE.exec(code.trim().toUpperCase());
  if (!match) return undefined;
  const [, country, year] = match;
  const entityIds = new Set(entities.filter((e) => e.country.toUpperCase() === country).map((e) => e.id));
  return cards.find(
    (c) =>
      c.status === 'active' &&
      !c.clientId &&
      c.legalEntityId !== undefined &&
      entityIds.has(c.legalEntityId) &&
      c.effectiveFrom.startsWith(`${year}-`),
  );
}

/** The ERP card in the process layer's terms (rates in force from the card's dates). */
export function toBillingRateCard(card: ErpRateCard): RateCard {
  return {
    id: card.id,
    currency: card.currency,
    rates: card.rates.map((r) => ({
      role: r.role,
      hourlyRateMinor: r.hourlyRate.amountMinor,
      effectiveFrom: card.effectiveFrom,
      ...(card.effectiveTo ? { effectiveTo: card.effectiveTo } : {}),
    })),
  };
}
