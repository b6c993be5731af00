// The project template a won deal is provisioned from: the ERP project's shape and the first
// staffing request (the lead role for the whole budget at that role's rate, bounded by the
// contract's working days), as pure functions of the validated terms.
import type { ProjectCreate } from '../../system-apis/erp/canonical.js';
import type { RateCard } from '../kit/billing-model.js';
import { rateFor } from '../kit/rating.js';
import type { ValidTerms } from './contract-terms.js';

/** The role every new project asks Scheduling for first. */
export const LEAD_ROLE = 'consultant';
const MINUTES_PER_DAY = 8 * 60;

export function projectFromTemplate(args: {
  opportunityId: string;
  name: string;
  clientId: string;
  legalEntityId: string;
  rateCardId: string;
  terms: ValidTerms;
}): ProjectCreate {
  const { terms } = args;
  return {
    clientId: args.clientId,
    opportunityId: args.opportunityId,
    name: args.name,
    billingModel: terms.billingModel,
    currency: terms.currency,
    legalEntityId: args.legalEntityId,
    rateCardId: args.rateCardId,
    budget: terms.budget,
    startDate: terms.startDate,
    endDate: terms.endDate,
    status: 'active',
    billingHold: false,
  };
}

function workingDays(start: string, end: string): number {
  let days = 0;
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days += 1;
  }
  return Math.max(days, 1);
}

/** Minutes of the lead role the budget buys, never more than full time over the contract. */
export function leadEffortMinutes(terms: ValidTerms, rateCard: RateCard): number {
  const rate = rateFor(rateCard, LEAD_ROLE, terms.startDate);
  const cap = workingDays(terms.startDate, terms.endDate) * MINUTES_PER_DAY;
  if (typeof rate === 'string' || rate.hourlyRateMinor <= 0) return cap;
  return Math.max(60, Math.min(cap, Math.floor((terms.budget.amountMinor * 60) / rate.hourlyRateMinor)));
}
