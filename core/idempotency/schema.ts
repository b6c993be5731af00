// The idempotency_keys table's row type, added to the store's Database interface.
export interface IdempotencyKeysTable {
  consumer: string;
  idempotency_key: string;
  fingerprint: string;
  state: 'in_flight' | 'completed';
  owner: string;
  /** Epoch milliseconds. */
  locked_until: number;
  response_status: number | null;
  /** JSON text: the replayed headers. */
  response_headers: string | null;
  /** Base64. */
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

declare module '../store/schema.js' {
  interface Database {
    idempotency_keys: IdempotencyKeysTable;
  }
}
