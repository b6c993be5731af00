// Table types for recorded inbound webhooks and rejected ones. Instants: epoch ms.
import type { Generated } from 'kysely';

export type InboxState = 'received' | 'processed' | 'failed';

export interface InboxMessagesTable {
  source: string;
  webhook_id: string;
  /** The sender's `webhook-timestamp`, in seconds. */
  webhook_timestamp: number;
  /** The raw body as received (UTF-8). */
  body: string;
  state: InboxState;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_ms: number;
  claimed_by: string | null;
  lease_until_ms: number | null;
  received_at_ms: number;
  processed_at_ms: number | null;
}

export interface InboxRejectionsTable {
  id: Generated<number>;
  source: string;
  webhook_id: string | null;
  reason: string;
  remote_address: string | null;
  /** The start of the body only: enough to recognise it, not a copy of a payload we refused. */
  body_excerpt: string | null;
  received_at_ms: number;
}

declare module '../store/schema.js' {
  interface Database {
    inbox_messages: InboxMessagesTable;
    inbox_rejections: InboxRejectionsTable;
  }
}
