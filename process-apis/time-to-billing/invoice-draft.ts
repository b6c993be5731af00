// Builds the invoice for one engagement and billing period: time lines grouped by role and
// rate (each traceable to its entries), expense and milestone lines, tax by the legal entity's
// regional rule, all in integer minor units of the engagement's currency. Hours are priced as
// recorded (hundredths of an hour), each line rounded once by core/money's rule.
import { hundredthsToHours, hundredthsToMinutes } from '../../core/hours.js';
import { addMoney, multiplyHundredthsByRate, type Money } from '../../core/money.js';
import { lineTaxes, type RegionalRules, type TaxCustomer, type TaxRounding } from '../../core/regional/rules.js';
import type { BillableExpense, BillableTimeEntry, BillingEngagement, BillingMilestone, BillingPeriod } from '../kit/billing-model.js';
import { rateEntries, selectBillableEntries, type RatingException } from '../kit/rating.js';

export type InvoiceLineKind = 'time' | 'expense' | 'milestone';

export interface InvoiceDraftLine {
  kind: InvoiceLineKind;
  description: string;
  /** Whole minutes for time lines (their hours rounded, for display and v1 readers); 1 for expenses and milestones. */
  quantity: number;
  /** Time lines: the hours billed, in hundredths, the sum of the entries' recorded hours. */
  hoursHundredths?: number;
  unitPrice: Money;
  amount: Money;
  /** The line's tax by the entity's rounding rule (absent on drafts recorded before it was kept). */
  taxAmount?: Money;
  /** The canonical ids of the entries, expenses or milestone billed on this line. */
  sourceIds: string[];
}

export interface InvoiceDraft {
  engagementId: string;
  clientId: string;
  legalEntityCode: string;
  period: BillingPeriod;
  currency: string;
  lines: InvoiceDraftLine[];
  subtotal: Money;
  tax: Money & { rateBp: number; name: string; note?: string; rounding?: TaxRounding };
  total: Money;
}

export type DraftOutcome =
  | { kind: 'invoice'; draft: InvoiceDraft; exceptions: RatingException[] }
  | { kind: 'on-hold'; engagementId: string; reason: string }
  | { kind: 'nothing-to-bill'; engagementId: string; exceptions: RatingException[] }
  | { kind: 'blocked'; engagementId: string; reason: string };

export interface DraftInput {
  engagement: BillingEngagement;
  period: BillingPeriod;
  customer: TaxCustomer;
  entries: readonly BillableTimeEntry[];
  expenses: readonly BillableExpense[];
  milestones: readonly BillingMilestone[];
  rules: RegionalRules;
}

/** A time line's description: "consultant: 19.92 h". */
export function timeLineDescription(role: string, hundredths: number): string {
  return `${role}: ${hundredthsToHours(hundredths).replace(/\.00$/, '')} h`;
}

/** A time line for `hundredths` of an hour at an hourly rate: priced once, hours × rate. */
export function timeLine(role: string, hundredths: number, rate: Money, sourceIds: string[]): InvoiceDraftLine {
  return {
    kind: 'time',
    description: timeLineDescription(role, hundredths),
    quantity: hundredthsToMinutes(hundredths),
    hoursHundredths: hundredths,
    unitPrice: rate,
    amount: { amountMinor: multiplyHundredthsByRate(hundredths, rate.amountMinor), currency: rate.currency },
    sourceIds,
  };
}

/**
 * Sets each line's tax and the invoice's by the entity's rounding rule (per line, or once on the
 * net and spread over the lines): the lines' taxes always add up to the invoice's.
 */
export function withTax(
  draft: Omit<InvoiceDraft, 'subtotal' | 'tax' | 'total'>,
  decision: { rateBp: number; name: string; note?: string; rounding: TaxRounding },
): InvoiceDraft {
  const { currency } = draft;
  const taxes = lineTaxes(
    draft.lines.map((l) => l.amount.amountMinor),
    decision.rateBp,
    decision.rounding,
  );
  const lines = draft.lines.map((l, i) => ({ ...l, taxAmount: { amountMinor: taxes.lines[i]!, currency } }));
  const subtotal = addMoney({ amountMinor: 0, currency }, ...lines.map((l) => l.amount));
  const tax = { amountMinor: taxes.totalMinor, currency };
  return {
    ...draft,
    lines,
    subtotal,
    tax: {
      ...tax,
      rateBp: decision.rateBp,
      name: decision.name,
      rounding: decision.rounding,
      ...(decision.note ? { note: decision.note } : {}),
    },
    total: addMoney(subtotal, tax),
  };
}

export function draftInvoice(input: DraftInput): DraftOutcome {
  const { engagement, period, rules } = input;
  if (engagement.billingHold) {
    return { kind: 'on-hold', engagementId: engagement.id, reason: 'The engagement is on billing hold.' };
  }
  // Fails with a business-rule problem when the legal entity has no regional rules.
  rules.entity(engagement.legalEntityCode);
  const currency = engagement.currency;
  if (engagement.rateCard.currency !== currency) {
    return {
      kind: 'blocked',
      engagementId: engagement.id,
      reason: `Rate card ${engagement.rateCard.id} is in ${engagement.rateCard.currency}, the engagement bills in ${currency}.`,
    };
  }

  const lines: InvoiceDraftLine[] = [];
  let exceptions: RatingException[] = [];

  // Fixed-fee and milestone engagements bill milestones on completion, not hours.
  if (engagement.billingModel === 'time-and-materials') {
    const candidates = selectBillableEntries(
      input.entries.filter((e) => e.engagementId === engagement.id),
      period,
    );
    const rating = rateEntries(candidates, engagement.rateCard);
    exceptions = rating.exceptions;
    const groups = new Map<string, { role: string; rateMinor: number; hundredths: number; ids: string[] }>();
    for (const { entry, rate } of rating.rated) {
      const key = `${rate.role}\u0000${rate.hourlyRateMinor}`;
      const group = groups.get(key) ?? { role: rate.role, rateMinor: rate.hourlyRateMinor, hundredths: 0, ids: [] };
      group.hundredths += entry.hoursHundredths;
      group.ids.push(entry.id);
      groups.set(key, group);
    }
    for (const g of [...groups.values()].sort((a, b) => a.role.localeCompare(b.role) || a.rateMinor - b.rateMinor)) {
      // Priced once per line on the summed recorded hours, so the line is hours × rate exactly.
      lines.push(timeLine(g.role, g.hundredths, { amountMinor: g.rateMinor, currency }, g.ids.sort()));
    }
  } else {
    for (const m of input.milestones) {
      if (m.engagementId !== engagement.id || m.billed || !m.completedOn || m.completedOn > period.end) continue;
      if (m.amount.currency !== currency) {
        return {
          kind: 'blocked',
          engagementId: engagement.id,
          reason: `Milestone ${m.id} is in ${m.amount.currency}, the engagement bills in ${currency}.`,
        };
      }
      lines.push({
        kind: 'milestone',
        description: `Milestone: ${m.name}`,
        quantity: 1,
        unitPrice: m.amount,
        amount: m.amount,
        sourceIds: [m.id],
      });
    }
  }

  for (const x of input.expenses) {
    if (x.engagementId !== engagement.id || !x.approved || !x.billable || x.billed || x.incurredOn > period.end) continue;
    if (x.amount.currency !== currency) {
      return {
        kind: 'blocked',
        engagementId: engagement.id,
        reason: `Expense ${x.id} is in ${x.amount.currency}, the engagement bills in ${currency}.`,
      };
    }
    lines.push({
      kind: 'expense',
      description: `Expense: ${x.description}`,
      quantity: 1,
      unitPrice: x.amount,
      amount: x.amount,
      sourceIds: [x.id],
    });
  }

  if (lines.length === 0) return { kind: 'nothing-to-bill', engagementId: engagement.id, exceptions };

  const decision = rules.taxFor(engagement.legalEntityCode, input.customer);
  return {
    kind: 'invoice',
    exceptions,
    draft: withTax(
      {
        engagementId: engagement.id,
        clientId: engagement.clientId,
        legalEntityCode: engagement.legalEntityCode,
        period,
        currency,
        lines,
      },
      decision,
    ),
  };
}
