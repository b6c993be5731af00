// Loads what billing one engagement needs from ERP, in the process layer's own terms: the
// engagement with the rate cards in force over time, the issuing entity's regional rules
// (matched by the legal entity's country) and the client as a tax customer.
import { ProblemError } from '../../core/problems.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import type { TaxCustomer } from '../../core/regional/rules.js';
import type { RateCard as ErpRateCard } from '../../system-apis/erp/canonical.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import { allPages } from './all-pages.js';
import type { BillingEngagement, RateCard, RateCardRate } from './billing-model.js';

export interface EngagementContext {
  engagement: BillingEngagement;
  customer: TaxCustomer;
}

/**
 * The engagement's card and its successors: every active or superseded card of the same
 * legal entity, currency and client scope. Each contributes its rates for the dates it is in
 * force, so an entry is priced by the card in force on its work date.
 */
export function rateCardLineage(primary: ErpRateCard, all: readonly ErpRateCard[]): RateCard {
  const sameScope = all.filter(
    (c) =>
      c.status !== 'draft' &&
      c.currency === primary.currency &&
      c.legalEntityId === primary.legalEntityId &&
      c.clientId === primary.clientId,
  );
  const cards = sameScope.some((c) => c.id === primary.id) ? sameScope : [primary, ...sameScope];
  const rates: RateCardRate[] = cards.flatMap((card) =>
    card.rates.map((r) => ({
      role: r.role,
      hourlyRateMinor: r.hourlyRate.amountMinor,
      effectiveFrom: card.effectiveFrom,
      ...(card.effectiveTo ? { effectiveTo: card.effectiveTo } : {}),
    })),
  );
  return { id: primary.id, currency: primary.currency, rates };
}

export async function loadEngagementContext(
  erp: Pick<ErpSystemApi, 'getProject' | 'getLegalEntity' | 'getClient' | 'getRateCard' | 'listRateCards'>,
  rules: RegionalRules,
  engagementId: string,
): Promise<EngagementContext> {
  const project = await erp.getProject(engagementId);
  const [legalEntity, client] = await Promise.all([erp.getLegalEntity(project.legalEntityId), erp.getClient(project.clientId)]);
  const rulesEntity = rules.legalEntities.find((e) => e.country === legalEntity.country.toUpperCase());
  if (!rulesEntity) {
    throw new ProblemError('business-rule-violation', {
      detail: `No regional rules for legal entity ${legalEntity.code} (${legalEntity.country}).`,
    });
  }
  let rateCard: RateCard = { id: 'none', currency: project.currency, rates: [] };
  if (project.rateCardId) {
    const primary = await erp.getRateCard(project.rateCardId);
    const cards = await allPages((cursor) => erp.listRateCards({ cursor, limit: 200, legalEntityId: project.legalEntityId }));
    rateCard = rateCardLineage(primary, cards);
  }
  return {
    engagement: {
      id: project.id,
      name: project.name,
      clientId: project.clientId,
      legalEntityCode: rulesEntity.code,
      currency: project.currency,
      billingModel: project.billingModel,
      rateCard,
      billingHold: project.billingHold,
    },
    customer: {
      country: client.billingCountry,
      ...(client.billingAddress?.region ? { region: client.billingAddress.region } : {}),
      ...(client.taxId ? { taxId: client.taxId } : {}),
    },
  };
}
