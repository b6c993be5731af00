// Builds the invoice for one engagement and billing period: time lines grouped by role and
// rate (each traceable to its entries), expense and milestone lines, tax by the legal entity's
// regional rule, all in integer minor units of the engagement's currency.
import { addMoney, multiplyMinutesByRate, type Money } from '../../core/money.js';
import { taxAmount, type RegionalRules, type TaxCustomer } from '../../core/regional/rules.js';
import type { BillableExpense, BillableTimeEntry, BillingEngagement, BillingMilestone, BillingPeriod } from '../kit/billing-model.js';
import { rateEntries, selectBillableEntries, type RatingException } from '../kit/rating.js';

export type InvoiceLineKind = 'time' | 'expense' | 'milestone';

export interface InvoiceDraftLine {
  kind: InvoiceLineKind;
  description: string;
  /** Minutes for time lines; 1 for expenses and milestones. */
  quantity: number;
  unitPrice: Money;
  amount: Money;
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
  tax: Money & { rateBp: number; name: string; note?: string };
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

function hours(minutes: number): string {
  const h = minutes / 60;
  return Number.isInteger(h) ? `${h} h` : `${h.toFixed(2).replace(/0$/, '')} h`;
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
    const groups = new Map<string, { role: string; rateMinor: number; minutes: number; ids: string[] }>();
    for (const { entry, rate } of rating.rated) {
      const key = `${rate.role}\u0000${rate.hourlyRateMinor}`;
      const group = groups.get(key) ?? { role: rate.role, rateMinor: rate.hourlyRateMinor, minutes: 0, ids: [] };
      group.minutes += entry.durationMinutes;
      group.ids.push(entry.id);
      groups.set(key, group);
    }
    for (const g of [...groups.values()].sort((a, b) => a.role.localeCompare(b.role) || a.rateMinor - b.rateMinor)) {
      lines.push({
        kind: 'time',
        description: `${g.role}: ${hours(g.minutes)}`,
        quantity: g.minutes,
        unitPrice: { amountMinor: g.rateMinor, currency },
        // Priced once per line (minutes × hourly rate / 60), so the line equals hours × rate exactly.
        amount: { amountMinor: multiplyMinutesByRate(g.minutes, g.rateMinor), currency },
        sourceIds: g.ids.sort(),
      });
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

  const subtotal = addMoney({ amountMinor: 0, currency }, ...lines.map((l) => l.amount));
  const decision = rules.taxFor(engagement.legalEntityCode, input.customer);
  const tax = taxAmount(subtotal, decision.rateBp);
  return {
    kind: 'invoice',
    exceptions,
    draft: {
      engagementId: engagement.id,
      clientId: engagement.clientId,
      legalEntityCode: engagement.legalEntityCode,
      period,
      currency,
      lines,
      subtotal,
      tax: { ...tax, rateBp: decision.rateBp, name: decision.name, ...(decision.note ? { note: decision.note } : {}) },
      total: addMoney(subtotal, tax),
    },
  };
}
