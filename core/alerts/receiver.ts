// The configured alert receiver (ALERT_WEBHOOK_URL) as a webhook subscription of its own, so alert
// events go through the same outbox, signatures, retries, SSRF checks and dead deliveries as every
// other webhook. One row under a fixed id, brought in line with the configuration at start.
import type { Kysely } from 'kysely';
import { assertWebhookUrlAllowed } from '../events/index.js';
import type { Database } from '../store/schema.js';
import { ALERT_EVENT_PATTERN } from './store.js';

/** The receiver subscription's id: fixed, so every replica and restart finds the same row. */
export const ALERT_RECEIVER_SUBSCRIPTION_ID = '00000000-0000-7000-8000-0000a1e47000';

export interface AlertReceiver {
  url: string;
  secret: string;
}

/**
 * Creates or updates the receiver's subscription. A receiver that answered 410 stays disabled
 * until its URL or secret changes (that 410 was its own word), and the log says so.
 */
export async function ensureAlertReceiver(
  db: Kysely<Database>,
  receiver: AlertReceiver,
  options: { allowPrivateUrls: boolean; requireHttps: boolean; logger: { warn(details: object, message: string): void } },
): Promise<void> {
  const url = (
    await assertWebhookUrlAllowed(receiver.url, { allowPrivate: options.allowPrivateUrls, requireHttps: options.requireHttps })
  ).toString();
  const now = Date.now();
  const eventTypes = JSON.stringify([ALERT_EVENT_PATTERN]);
  const existing = await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('id', '=', ALERT_RECEIVER_SUBSCRIPTION_ID)
    .executeTakeFirst();
  if (!existing) {
    await db
      .insertInto('webhook_subscriptions')
      .values({
        id: ALERT_RECEIVER_SUBSCRIPTION_ID,
        url,
        secret: receiver.secret,
        event_types: eventTypes,
        state: 'active',
        disabled_reason: null,
        created_at_ms: now,
        updated_at_ms: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    return;
  }
  const changed = existing.url !== url || existing.secret !== receiver.secret || existing.event_types !== eventTypes;
  if (!changed) {
    if (existing.state === 'disabled')
      options.logger.warn(
        { url, reason: existing.disabled_reason },
        'the alert receiver is disabled (it answered 410); alerts are not sent until ALERT_WEBHOOK_URL or its secret changes',
      );
    return;
  }
  await db
    .updateTable('webhook_subscriptions')
    .set({ url, secret: receiver.secret, event_types: eventTypes, state: 'active', disabled_reason: null, updated_at_ms: now })
    .where('id', '=', ALERT_RECEIVER_SUBSCRIPTION_ID)
    .execute();
}
