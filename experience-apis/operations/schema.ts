// Row type of the operations API's table (migration 0340), added to the one Database type.
export interface OpsDeadLetterDiscardsTable {
  dead_letter_id: number;
  reason: string;
  discarded_by: string;
  /** The request id of the discard call. */
  correlation_id: string | null;
  discarded_at_ms: number;
}

declare module '../../core/store/schema.js' {
  interface Database {
    ops_dead_letter_discards: OpsDeadLetterDiscardsTable;
  }
}

export {};
