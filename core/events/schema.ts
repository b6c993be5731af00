// Table types for the outbox, webhook subscriptions, deliveries and consumer de-duplication.
// Instants are epoch milliseconds (numbers); JSON columns hold text.
import type { Generated } from 'kysely';

export interface EventOutboxTable {
  seq: Generated<number>;
  event_id: string;
  source: string;
  type: string;
  subject: string | null;
  /** RFC 3339, as in the envelope. */
  time: string;
  /** The CloudEvent in structured JSON form. */
  envelope: string;
  created_at_ms: number;
  dispatched: Generated<number>;
  dispatched_at_ms: number | null;
  claimed_by: string | null;
  lease_until_ms: number | null;
}

export type SubscriptionState = 'active' | 'disabled';

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  secret: string;
  /** JSON array of type patterns (`*`, `billing.invoice.*`, exact types). */
  event_types: string;
  state: SubscriptionState;
  disabled_reason: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface EventDeliveriesTable {
  id: Generated<number>;
  event_seq: number;
  /** `local:<name>` for an in-process subscriber, `webhook:<subscription id>` for a webhook. */
  subscriber: string;
  state: DeliveryState;
  attempts: Generated<number>;
  next_attempt_ms: number;
  last_status: number | null;
  last_error: string | null;
  claimed_by: string | null;
  lease_until_ms: number | null;
  created_at_ms: number;
  delivered_at_ms: number | null;
}

export interface EventConsumedTable {
  consumer: string;
  source: string;
  event_id: string;
  consumed_at_ms: number;
}

/** In-process subscribers registered by any process (see dispatcher.ts). */
export interface EventLocalSubscribersTable {
  name: string;
  event_types: string;
  registered_at_ms: number;
}

declare module '../store/schema.js' {
  interface Database {
    event_local_subscribers: EventLocalSubscribersTable;
    event_outbox: EventOutboxTable;
    webhook_subscriptions: WebhookSubscriptionsTable;
    event_deliveries: EventDeliveriesTable;
    event_consumed: EventConsumedTable;
  }
}
