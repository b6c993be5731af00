// Row types of the reconciliation journey's tables (migration 0250), added to the one Database type.
export type ExceptionStatus = 'open' | 'repairing' | 'repaired' | 'dismissed' | 'resolved';
export type PassStatus = 'running' | 'completed' | 'failed';
export type PassTrigger = 'schedule' | 'operator' | 'command';
/** `platforms`: every check (a full pass); `layer`: only the checks that read the layer's own tables. */
export type PassScope = 'platforms' | 'layer';

export interface ReconExceptionsTable {
  id: string;
  check_name: string;
  journey: string;
  question: string;
  type: string;
  key: string;
  title: string;
  detail: string;
  /** RecordRef[] as JSON. */
  records: string;
  money_minor: number | null;
  money_currency: string | null;
  /** ProposedRepair as JSON. */
  repair: string;
  /** StoppedRun as JSON, or null. */
  run: string | null;
  status: ExceptionStatus;
  /** 1 while it is the exception of its (check, type, key); 0 once no longer found. */
  live: number;
  first_seen_ms: number;
  last_seen_ms: number;
  resolved_at_ms: number | null;
  resolved_by: string | null;
  dismiss_reason: string | null;
  repair_run_id: string | null;
  repair_attempts: number;
  pass_id: string | null;
}

export interface ReconPassesTable {
  id: string;
  journey: string | null;
  scope: PassScope;
  trigger: PassTrigger;
  repair: number;
  status: PassStatus;
  started_at_ms: number;
  finished_at_ms: number | null;
  started_by: string | null;
  compared: number;
  found: number;
  opened: number;
  resolved: number;
  repairs_started: number;
  /** CheckResult[] as JSON. */
  checks: string;
  error: string | null;
}

export interface ReconCheckResultsTable {
  check_name: string;
  question: string;
  journey: string;
  last_run_ms: number;
  last_success_ms: number | null;
  last_error: string | null;
}

export interface ReconLeaseTable {
  name: string;
  holder: string | null;
  pass_id: string | null;
  expires_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    recon_exceptions: ReconExceptionsTable;
    recon_passes: ReconPassesTable;
    recon_check_results: ReconCheckResultsTable;
    recon_lease: ReconLeaseTable;
  }
}
