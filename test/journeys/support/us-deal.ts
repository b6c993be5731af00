// A US time-and-materials deal with complete contract terms (USD, the US rate card), the one the
// won-deal journey tests open when the terms themselves are not what they test.
import type { OpportunityInput } from '../../../system-apis/crm/canonical.js';

export function usDeal(clientId: string, name: string, stage: OpportunityInput['stage'] = 'closed-won'): OpportunityInput {
  return {
    clientId,
    name,
    stage,
    closeDate: '2026-11-20',
    amount: { amountMinor: 2_000_000, currency: 'USD' },
    contractTerms: {
      billingModel: 'time-and-materials',
      startDate: '2026-12-01',
      endDate: '2027-03-26',
      legalEntityCountry: 'US',
      rateCardCode: 'RC-US-2026',
    },
  };
}
