// Table type for periodic jobs' claims: one row per job and period, written by the replica that
// runs that period's round. Instants are epoch milliseconds.

export interface ScheduleClaimsTable {
  job: string;
  /** Start of the period the claim is for: a multiple of the job's interval since the epoch. */
  period_start_ms: number;
  claimed_by: string;
  claimed_at_ms: number;
}

declare module '../store/schema.js' {
  interface Database {
    schedule_claims: ScheduleClaimsTable;
  }
}
