// Properties of a drafted invoice over random recorded hours, roles, rates, entities and
// currencies of 0, 2 and 3 minor units: the hours billed are the hours recorded, each line is
// hours × rate rounded once, Σ lines = net, the lines' taxes add up to the invoice's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multiplyHundredthsByRate, taxOnNetMinor } from '../../core/money.js';
import { loadRegionalRules } from '../../core/regional/rules.js';
import type { BillableTimeEntry, BillingEngagement } from '../kit/billing-model.js';
import { monthlyPeriod } from '../kit/rating.js';
import { draftInvoice } from './invoice-draft.js';
import { splitLines } from './invoice-lines.js';

const rules = loadRegionalRules();
const ROLES = ['analyst', 'consultant', 'manager', 'partner'];

describe('drafted invoice properties', () => {
  it('bills recorded hours exactly and adds up, in any currency and tax rule', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('JPY', 'GBP', 'EUR', 'KWD'),
        fc.constantFrom(['UK01', 'GB'] as const, ['DE01', 'DE'] as const, ['US01', 'US'] as const),
        fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: ROLES.length, maxLength: ROLES.length }),
        fc.array(fc.record({ role: fc.constantFrom(...ROLES), hundredths: fc.integer({ min: 1, max: 2_400 }) }), {
          minLength: 1,
          maxLength: 80,
        }),
        (currency, [entity, country], rates, work) => {
          const engagement: BillingEngagement = {
            id: 'eng-1',
            name: 'Rollout',
            clientId: 'client-1',
            legalEntityCode: entity,
            currency,
            billingModel: 'time-and-materials',
            billingHold: false,
            rateCard: {
              id: 'rc',
              currency,
              rates: ROLES.map((role, i) => ({ role, hourlyRateMinor: rates[i]!, effectiveFrom: '2026-01-01' })),
            },
          };
          const entries: BillableTimeEntry[] = work.map((w, i) => ({
            id: `e${String(i).padStart(3, '0')}`,
            engagementId: 'eng-1',
            resourceId: 'r',
            role: w.role,
            workDate: '2026-11-10',
            hoursHundredths: w.hundredths,
            billable: true,
            approved: true,
            billed: false,
          }));
          const outcome = draftInvoice({
            engagement,
            period: monthlyPeriod('2026-11-01'),
            customer: { country, ...(country === 'US' ? { region: 'US-NM' } : {}) },
            entries,
            expenses: [],
            milestones: [],
            rules,
          });
          if (outcome.kind !== 'invoice') throw new Error(outcome.kind);
          const draft = splitLines(outcome.draft, new Map(entries.map((e) => [e.id, e.hoursHundredths])));
          const billed = draft.lines.reduce((s, l) => s + l.hoursHundredths!, 0);
          expect(billed, 'hours on the invoice = hours recorded').toBe(work.reduce((s, w) => s + w.hundredths, 0));
          for (const line of draft.lines) {
            expect(line.amount.amountMinor, 'hours × rate, one rounding').toBe(
              multiplyHundredthsByRate(line.hoursHundredths!, line.unitPrice.amountMinor),
            );
            expect(line.amount.currency).toBe(currency);
          }
          expect(
            draft.lines.reduce((s, l) => s + l.amount.amountMinor, 0),
            'Σ lines = net',
          ).toBe(draft.subtotal.amountMinor);
          expect(
            draft.lines.reduce((s, l) => s + l.taxAmount!.amountMinor, 0),
            'Σ line taxes = tax',
          ).toBe(draft.tax.amountMinor);
          if (draft.tax.rounding === 'invoice')
            expect(draft.tax.amountMinor, 'tax once on the net').toBe(taxOnNetMinor(draft.subtotal.amountMinor, draft.tax.rateBp));
          expect(draft.total.amountMinor).toBe(draft.subtotal.amountMinor + draft.tax.amountMinor);
        },
      ),
      { numRuns: 200 },
    );
  });
});
