// Business events: CloudEvents written to the outbox in the caller's transaction, then
// dispatched to in-process subscribers and signed webhooks, with retries, leases and replay.
export { emit, emitMany } from './outbox.js';
export { buildEnvelope, typeMatcher, type NewEvent, type EventEnvelope, type DeliveredEvent } from './envelope.js';
export { EventDispatcher, type DispatcherOptions, type LocalSubscriber } from './dispatcher.js';
export { consumeOnce } from './dedupe.js';
export { replayEvents } from './replay.js';
export { noopEventMetrics, type EventMetrics } from './metrics.js';
export { promEventMetrics } from './prom-metrics.js';
export { purgeEvents, type PurgeResult } from './retention.js';
export { signWebhook, verifyWebhook, generateWebhookSecret, type VerifyFailure } from './signature.js';
export { assertWebhookUrlAllowed, isPublicAddress, publicOnlyLookup } from './ssrf.js';
export {
  createSubscription,
  listSubscriptions,
  getSubscription,
  setSubscriptionState,
  retireLocalSubscriber,
  type WebhookSubscription,
  type NewWebhookSubscription,
} from './subscriptions.js';
export type * from './schema.js';
