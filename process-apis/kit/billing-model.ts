// The process layer's own view of what is billed: approved time and expenses, rate cards,
// milestones and the engagement they belong to. Plain dates are ISO `YYYY-MM-DD` strings.
import type { Money } from '../../core/money.js';

export interface BillableTimeEntry {
  id: string;
  engagementId: string;
  resourceId: string;
  role: string;
  workDate: string;
  /** Hours worked in hundredths of an hour (117 = 1.17 h), exactly as the time platform records them. */
  hoursHundredths: number;
  billable: boolean;
  approved: boolean;
  billed: boolean;
}

export interface BillableExpense {
  id: string;
  engagementId: string;
  incurredOn: string;
  description: string;
  amount: Money;
  billable: boolean;
  approved: boolean;
  billed: boolean;
}

export interface RateCardRate {
  role: string;
  hourlyRateMinor: number;
  /** First day the rate applies. */
  effectiveFrom: string;
  /** Last day the rate applies (inclusive); open-ended when absent. */
  effectiveTo?: string;
}

export interface RateCard {
  id: string;
  currency: string;
  rates: RateCardRate[];
}

export interface BillingMilestone {
  id: string;
  engagementId: string;
  name: string;
  amount: Money;
  completedOn?: string;
  billed: boolean;
}

export type BillingModel = 'time-and-materials' | 'fixed-fee' | 'milestone';

export interface BillingEngagement {
  id: string;
  name: string;
  clientId: string;
  legalEntityCode: string;
  currency: string;
  billingModel: BillingModel;
  rateCard: RateCard;
  billingHold: boolean;
}

export interface BillingPeriod {
  /** `YYYY-MM` for monthly billing. */
  key: string;
  start: string;
  end: string;
}
