// The api_usage table's row type, added to the store's Database interface.
import type { ColumnType } from 'kysely';

export interface ApiUsageTable {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  consumer: string;
  contract: string;
  version: string;
  operation: string;
  /** 0/1: the contract version was deprecated when called. */
  deprecated: number;
  calls: ColumnType<number, number, number>;
  errors: ColumnType<number, number, number>;
  /** Epoch milliseconds of the last call counted. */
  last_at: number;
}

declare module '../store/schema.js' {
  interface Database {
    api_usage: ApiUsageTable;
  }
}
