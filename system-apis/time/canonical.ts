// Canonical time records as the system API exposes them (openapi/system/time.v1.yaml).
// No vendor field name appears here; ids are canonical UUIDv7 from the cross-reference store.
import type { Money } from '../../core/money.js';

export type { Money };

/** draft: not yet submitted; submitted: awaiting approval; approved: week approved and closed. */
export type ApprovalStatus = 'draft' | 'submitted' | 'approved';

export interface NamedRef {
  id: string;
  name: string;
}

export interface TimeEntry {
  id: string;
  /** The day the work was done (plain date). */
  workDate: string;
  durationMinutes: number;
  notes: string | null;
  billable: boolean;
  billed: boolean;
  locked: boolean;
  approvalStatus: ApprovalStatus;
  resource: NamedRef;
  project: NamedRef & { code: string | null };
  client: NamedRef;
  /** The kind of work (the platform's task name). */
  activity: string;
  billableRate: Money | null;
  costRate: Money | null;
  createdAt: string;
  updatedAt: string;
}

export interface Expense {
  id: string;
  workDate: string;
  amount: Money;
  category: string;
  units: number | null;
  notes: string | null;
  billable: boolean;
  billed: boolean;
  locked: boolean;
  approvalStatus: ApprovalStatus;
  resource: NamedRef;
  project: NamedRef & { code: string | null };
  client: NamedRef;
  createdAt: string;
  updatedAt: string;
}

export type ApprovalAction = 'submit' | 'approve' | 'reject';

export interface Approval {
  resourceId: string;
  weekStart: string;
  weekEnd: string;
  approvalStatus: ApprovalStatus;
  timeEntryIds: string[];
  expenseIds: string[];
  updatedAt: string;
}
