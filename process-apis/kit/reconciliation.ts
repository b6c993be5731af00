// What a reconciliation check is: one question about one journey, answered by comparing the
// platforms' own records (or the layer's runs), yielding findings with a proposed repair.
// The reconciliation journey (process-apis/reconciliation/) runs the checks, stores findings as
// exceptions with their history, and calls a check's `repair` for safe ones or on an operator's word.
import type { Money } from '../../core/money.js';
import type { RunState } from '../../core/workflows/index.js';
import type { Journey } from './run-view.js';

/** The five questions of the operations team; each is one business view. */
export const RECONCILIATION_QUESTIONS = [
  'failed-provisioning',
  'out-of-sync-assignments',
  'unbilled-approved-time',
  'blocked-invoices',
  'mismatched-billing-status',
] as const;
export type ReconciliationQuestion = (typeof RECONCILIATION_QUESTIONS)[number];

export type RecordPlatform = 'crm' | 'scheduling' | 'time' | 'erp' | 'layer';
export type RecordEntity =
  | 'account'
  | 'opportunity'
  | 'client'
  | 'project'
  | 'staffing-request'
  | 'assignment'
  | 'resource'
  | 'time-entry'
  | 'invoice'
  | 'payment'
  | 'credit-memo'
  | 'refund'
  | 'run';

/** A record on a platform (or a run in the layer), with a link into the platform's own UI where it has one. */
export interface RecordRef {
  platform: RecordPlatform;
  entity: RecordEntity;
  /** The platform's own id (the layer's id for `layer`). */
  id: string;
  canonicalId?: string | null;
  label?: string | null;
  url?: string | null;
}

/** The layer's run record, for findings about a run. */
export function runRef(runId: string, label?: string): RecordRef {
  return { platform: 'layer', entity: 'run', id: runId, label: label ?? null };
}

/** The run and step that stopped, when a run is involved. */
export interface StoppedRun {
  runId: string;
  workflow: string;
  step: string | null;
  state: RunState;
  deadLetterId: number | null;
}

export interface ProposedRepair {
  /** The layer may run it on its own (idempotent, through the journey) when a pass runs with repair. */
  safe: boolean;
  /** kebab-case: `start-provisioning`, `retry-run`, `sync-billing-status`, `by-hand`, … */
  action: string;
  /** What it does, in plain words (for `by-hand`: what the operator should do). */
  description: string;
}

/** One mismatch a check found. */
export interface Finding {
  /** kebab-case, e.g. `won-deal-without-project`; documented in the operations README. */
  type: string;
  /**
   * Identity of this mismatch within its type, stable across passes while the mismatch is the
   * same (e.g. the opportunity's id; for a differing amount, the record id plus both amounts, so
   * a dismissed difference that changes again opens a new exception). At most 300 characters.
   */
  key: string;
  /** One line, plain words. */
  title: string;
  /** The figures on each platform. */
  detail: string;
  /** The business record concerned first, then the others involved. 1..20. */
  records: RecordRef[];
  moneyAtRisk: Money | null;
  /** When the mismatch began, where the platforms say (e.g. the deal's close date); else first seen. */
  since?: Date;
  repair: ProposedRepair;
  run: StoppedRun | null;
}

/** A finding as stored, handed back to the check's `repair`. */
export interface StoredFinding extends Finding {
  exceptionId: string;
}

export interface CheckContext {
  now: Date;
  /** Report records compared so far (adds to the pass's count and moves the progress bar). */
  compared(count: number): void;
  /** Set when the pass is stopping (shutdown): a check should return soon. */
  signal: AbortSignal;
}

/** Who asked for a repair: the scheduled pass, or an operator through the API / command. */
export interface RepairActor {
  consumer: string;
  subject?: string;
  correlationId?: string;
}

export interface ReconciliationCheck {
  /** kebab-case, unique across checks, e.g. `won-deals-provisioned`. */
  name: string;
  journey: Journey;
  question: ReconciliationQuestion;
  /**
   * `platforms`: compares the platforms' records (rate-limited, runs on the pass schedule);
   * `layer`: reads only the layer's own tables (runs, dead letters) and is cheap, so it also
   * runs on the short live schedule and a failed run shows within one interval.
   */
  reads: 'platforms' | 'layer';
  /** The number of records the check will compare, if it can tell cheaply (the progress bar's total). */
  estimate?(): Promise<number | undefined>;
  /** Compare and return every mismatch found now. Throwing fails this check only; its open exceptions stay as they were. */
  run(ctx: CheckContext): Promise<Finding[]>;
  /**
   * Run the proposed repair through the journey, idempotently toward the platforms. Returns the
   * run that repairs it, if any. For a finding only an operator can fix (`by-hand`), throw
   * ProblemError('unprocessable-content' …) saying what to do.
   */
  repair(finding: StoredFinding, actor: RepairActor): Promise<{ runId?: string }>;
}
