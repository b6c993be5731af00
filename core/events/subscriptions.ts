// Webhook subscriptions: a URL, a secret of its own, the event types it wants, and a state
// (active/disabled; a 410 from the receiver disables it).
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ProblemError } from '../problems.js';
import type { Database } from '../store/schema.js';
import type { SubscriptionState } from './schema.js';
import { generateWebhookSecret } from './signature.js';
import { assertWebhookUrlAllowed } from './ssrf.js';

export interface WebhookSubscription {
  id: string;
  url: string;
  secret: string;
  eventTypes: string[];
  state: SubscriptionState;
  disabledReason: string | null;
  createdAt: Date;
}

export interface NewWebhookSubscription {
  url: string;
  eventTypes: string[];
  /** Defaults to a new `whsec_` secret. */
  secret?: string;
}

type Row = Database['webhook_subscriptions'];

function toSubscription(row: Row): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    secret: row.secret,
    eventTypes: JSON.parse(row.event_types) as string[],
    state: row.state,
    disabledReason: row.disabled_reason,
    createdAt: new Date(Number(row.created_at_ms)),
  };
}

export async function createSubscription(
  db: Kysely<Database>,
  input: NewWebhookSubscription,
  options: { allowPrivateUrls: boolean; requireHttps?: boolean },
): Promise<WebhookSubscription> {
  if (input.eventTypes.length === 0) {
    throw new ProblemError('validation-failed', {
      detail: 'At least one event type is required.',
      errors: [{ pointer: '/eventTypes', detail: 'must not be empty' }],
    });
  }
  if (input.secret !== undefined && !/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(input.secret)) {
    throw new ProblemError('validation-failed', {
      detail: 'The secret must be whsec_ followed by base64.',
      errors: [{ pointer: '/secret', detail: 'must be whsec_<base64>' }],
    });
  }
  const url = await assertWebhookUrlAllowed(input.url, {
    allowPrivate: options.allowPrivateUrls,
    requireHttps: options.requireHttps ?? false,
  });
  const now = Date.now();
  const row: Row = {
    id: uuidv7(),
    url: url.toString(),
    secret: input.secret ?? generateWebhookSecret(),
    event_types: JSON.stringify(input.eventTypes),
    state: 'active',
    disabled_reason: null,
    created_at_ms: now,
    updated_at_ms: now,
  };
  await db.insertInto('webhook_subscriptions').values(row).execute();
  return toSubscription(row);
}

export async function listSubscriptions(db: Kysely<Database>, state?: SubscriptionState): Promise<WebhookSubscription[]> {
  let q = db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at_ms');
  if (state) q = q.where('state', '=', state);
  return (await q.execute()).map(toSubscription);
}

export async function getSubscription(db: Kysely<Database>, id: string): Promise<WebhookSubscription> {
  const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('not-found', { detail: `No webhook subscription ${id}.` });
  return toSubscription(row);
}

export async function setSubscriptionState(
  db: Kysely<Database>,
  id: string,
  state: SubscriptionState,
  reason: string | null = null,
): Promise<void> {
  const result = await db
    .updateTable('webhook_subscriptions')
    .set({ state, disabled_reason: state === 'disabled' ? reason : null, updated_at_ms: Date.now() })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new ProblemError('not-found', { detail: `No webhook subscription ${id}.` });
}

/**
 * Removes an in-process subscriber's registration for good (its code is gone): processes
 * stop leaving deliveries for it, and the ones still pending are marked dead.
 */
export async function retireLocalSubscriber(db: Kysely<Database>, name: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('event_local_subscribers').where('name', '=', name).execute();
    const dead = await trx
      .updateTable('event_deliveries')
      .set({ state: 'dead', last_error: 'subscriber retired', claimed_by: null, lease_until_ms: null })
      .where('subscriber', '=', `local:${name}`)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(dead.numUpdatedRows);
  });
}
