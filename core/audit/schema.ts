// The audit_log table's row type, added to the store's Database interface.
import type { ColumnType } from 'kysely';

export interface AuditLogTable {
  id: string;
  /** Epoch milliseconds. */
  at: ColumnType<number, number, never>;
  consumer: string;
  /** The person (the token's `sub`) when one acted through the consumer; null for machines. */
  subject: string | null;
  action: string;
  target_type: string;
  target_id: string;
  correlation_id: string | null;
  /** JSON text. */
  details: string | null;
}

declare module '../store/schema.js' {
  interface Database {
    audit_log: AuditLogTable;
  }
}
