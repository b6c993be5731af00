// Validates a won opportunity's contract terms before anything is provisioned. Every problem
// found is returned at once, with a pointer and wording a CRM user can act on.
import { isKnownCurrency, type Money } from '../../core/money.js';
import type { FieldError } from '../../core/problems.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import type { BillingModel, RateCard } from '../kit/billing-model.js';
import { rateFor } from '../kit/rating.js';

export interface WonOpportunity {
  id: string;
  clientId: string | null;
  stage: string;
  amount: Money | null;
  contractTerms: {
    billingModel: BillingModel | null;
    startDate: string | null;
    endDate: string | null;
    legalEntityCountry: string | null;
    rateCardCode: string | null;
  };
}

export interface ValidTerms {
  billingModel: BillingModel;
  currency: string;
  budget: Money;
  startDate: string;
  endDate: string;
  legalEntityCode: string;
  rateCard: RateCard;
}

export type TermsResult = { ok: true; terms: ValidTerms } | { ok: false; errors: FieldError[] };

export interface TermsContext {
  rules: RegionalRules;
  /** The client's billing country, used when the opportunity names no legal-entity country. */
  clientBillingCountry: string | null;
  findRateCard(code: string): RateCard | undefined;
  /** Roles the deal is staffed with; each must be priced on the rate card at the start date. */
  requestedRoles: readonly string[];
}

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
const BILLING_MODELS: readonly BillingModel[] = ['time-and-materials', 'fixed-fee', 'milestone'];

export function validateContractTerms(opportunity: WonOpportunity, ctx: TermsContext): TermsResult {
  const errors: FieldError[] = [];
  const terms = opportunity.contractTerms;
  const fail = (pointer: string, detail: string) => errors.push({ pointer, detail });

  if (opportunity.stage !== 'closed-won')
    fail('/stage', `The opportunity is "${opportunity.stage}", not closed-won: only won deals become projects.`);
  if (!opportunity.clientId) fail('/clientId', 'The opportunity has no account: link it to the client account.');

  if (!terms.billingModel || !BILLING_MODELS.includes(terms.billingModel)) {
    fail('/contractTerms/billingModel', `Set the billing model to one of ${BILLING_MODELS.join(', ')}.`);
  }

  const amount = opportunity.amount;
  if (!amount || !Number.isSafeInteger(amount.amountMinor) || amount.amountMinor <= 0) {
    fail('/amount', 'Enter a positive opportunity amount: it becomes the project budget.');
  } else if (!isKnownCurrency(amount.currency)) {
    fail('/amount/currency', `"${amount.currency}" is not an ISO 4217 currency code.`);
  }

  const start = terms.startDate;
  const end = terms.endDate;
  if (!start || !PLAIN_DATE.test(start)) fail('/contractTerms/startDate', 'Enter the contract start date.');
  if (!end || !PLAIN_DATE.test(end)) fail('/contractTerms/endDate', 'Enter the contract end date.');
  if (start && end && PLAIN_DATE.test(start) && PLAIN_DATE.test(end) && end < start) {
    fail('/contractTerms/endDate', `The end date ${end} is before the start date ${start}.`);
  }

  const country = terms.legalEntityCountry ?? ctx.clientBillingCountry;
  const entity = country ? ctx.rules.entityForBillingCountry(country) : undefined;
  if (!country)
    fail(
      '/contractTerms/legalEntityCountry',
      'Set the legal-entity country (or the account billing country) so the contracting entity can be chosen.',
    );
  else if (!entity)
    fail(
      '/contractTerms/legalEntityCountry',
      `No legal entity of the firm serves billing country ${country}: ask finance to add a regional rule or pick another country.`,
    );

  let rateCard: RateCard | undefined;
  if (!terms.rateCardCode) {
    fail('/contractTerms/rateCardCode', 'Choose the rate card the engagement is priced on.');
  } else {
    rateCard = ctx.findRateCard(terms.rateCardCode);
    if (!rateCard) fail('/contractTerms/rateCardCode', `Rate card "${terms.rateCardCode}" does not exist.`);
    else if (amount && rateCard.currency !== amount.currency) {
      fail(
        '/contractTerms/rateCardCode',
        `Rate card "${terms.rateCardCode}" is in ${rateCard.currency} but the deal is in ${amount.currency}.`,
      );
    } else if (start && PLAIN_DATE.test(start)) {
      for (const role of ctx.requestedRoles) {
        const rate = rateFor(rateCard, role, start);
        if (typeof rate === 'string') {
          fail(
            '/contractTerms/rateCardCode',
            `Role "${role}" has ${rate === 'ambiguous-rate' ? 'overlapping rates' : 'no rate'} on rate card "${terms.rateCardCode}" at ${start}.`,
          );
        }
      }
    }
  }

  if (errors.length > 0 || !amount || !entity || !rateCard || !terms.billingModel || !start || !end) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    terms: {
      billingModel: terms.billingModel,
      currency: amount.currency,
      budget: amount,
      startDate: start,
      endDate: end,
      legalEntityCode: entity.code,
      rateCard,
    },
  };
}
