// The reconciliation journey's answers as the operations contract shapes them: an exception, a
// pass and a business view. Defined here (the process layer knows no experience contract); the
// operations routes assign them to the contract's generated types, so the compiler keeps both equal.
import type { Money } from '../../core/money.js';
import type { Journey } from '../kit/run-view.js';
import type { ProposedRepair, ReconciliationQuestion, RecordRef, StoppedRun } from '../kit/reconciliation.js';
import type { ExceptionStatus, PassStatus, PassTrigger } from './schema.js';

export interface ExceptionView {
  id: string;
  question: ReconciliationQuestion;
  journey: Journey;
  type: string;
  title: string;
  detail: string;
  status: ExceptionStatus;
  records: Array<Required<Pick<RecordRef, 'platform' | 'entity' | 'id'>> & Partial<Pick<RecordRef, 'canonicalId' | 'label' | 'url'>>>;
  moneyAtRisk: Money | null;
  repair: ProposedRepair & { runId: string | null };
  run: StoppedRun | null;
  firstSeenAt: string;
  lastSeenAt: string;
  ageSeconds: number;
  resolvedAt: string | null;
  resolvedBy: string | null;
  dismissReason: string | null;
  passId: string | null;
}

export interface CheckResult {
  check: string;
  journey: Journey;
  question: ReconciliationQuestion;
  compared: number;
  found: number;
  durationMs: number;
  error: string | null;
}

/** A check's result with what it changed (kept with the pass; the command's report shows it, the API leaves it out). */
export interface CheckTally extends CheckResult {
  opened: number;
  resolved: number;
  repairsStarted: number;
}

/** Open (and repairing) exceptions of one question and type, with their money at risk per currency. */
export interface OpenExceptionsByType {
  question: ReconciliationQuestion;
  type: string;
  count: number;
  moneyAtRisk: Money[];
}

export interface PassView {
  id: string;
  journey: Journey | null;
  trigger: PassTrigger;
  repair: boolean;
  status: PassStatus;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string | null;
  compared: number;
  found: number;
  opened: number;
  resolved: number;
  repairsStarted: number;
  error: string | null;
  checks: CheckTally[];
}

export interface BusinessView {
  question: ReconciliationQuestion;
  title: string;
  description: string;
  openExceptions: number;
  moneyAtRisk: Money[];
  oldestAgeSeconds: number | null;
  lastCheckedAt: string | null;
}

/** The five questions in plain words, in the order the operations team asks them. */
export const QUESTION_TEXT: Record<ReconciliationQuestion, { title: string; description: string }> = {
  'failed-provisioning': {
    title: 'Projects that failed to provision',
    description: 'Deals won on the CRM without a complete ERP project, staffing request and project ids written back to the CRM.',
  },
  'out-of-sync-assignments': {
    title: 'Assignments out of sync',
    description: "Assignments in Scheduling that the project's forecast and the resources' utilisation do not reflect.",
  },
  'unbilled-approved-time': {
    title: 'Approved time not in ERP',
    description: 'Approved billable time entries that no ERP invoice line bills, or that ERP bills at other hours.',
  },
  'blocked-invoices': {
    title: 'Blocked invoices',
    description: 'Invoices that could not be posted, are held, or whose amounts in ERP differ from what the layer raised.',
  },
  'mismatched-billing-status': {
    title: 'Accounts with mismatched billing status',
    description: 'CRM accounts and opportunities whose invoice and payment status differs from what ERP holds.',
  },
};
