// The xref table's row type, added to the store's Database interface.
import type { ColumnType } from 'kysely';

export interface XrefTable {
  canonical_id: string;
  entity_type: string;
  platform: string;
  native_id: string;
  /** Epoch milliseconds. */
  created_at: ColumnType<number, number, never>;
}

declare module '../store/schema.js' {
  interface Database {
    xref: XrefTable;
  }
}
