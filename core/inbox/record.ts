// Verifies an inbound webhook (Standard Webhooks signature over the raw body, timestamp
// within 5 minutes) and records it by (source, webhook-id) before anything processes it.
// A bad one is answered 401 and recorded in inbox_rejections for operators, within bounds: at
// most `maxPerSource` rows per source, none older than `retentionMs` (expired rows are deleted
// as new ones arrive). What does not fit is dropped and counted (inbox_rejections_dropped_total),
// so a flood of unsigned posts costs a bounded amount of storage.
import type { Kysely } from 'kysely';
import { ProblemError } from '../problems.js';
import type { Database } from '../store/schema.js';
import type { DbExecutor } from '../store/index.js';
import { verifyWebhook, type VerifyFailure, type WebhookHeaders } from '../events/signature.js';
import './schema.js';

export interface InboundWebhook {
  source: string;
  headers: WebhookHeaders;
  rawBody: Buffer;
  remoteAddress?: string;
}

export interface RejectionBounds {
  maxPerSource: number;
  retentionMs: number;
}

export const DEFAULT_REJECTION_BOUNDS: RejectionBounds = { maxPerSource: 1000, retentionMs: 72 * 3_600_000 };

/** Rejections not stored because their source was at its bound, per source, since the process started. */
export const droppedRejections = new Map<string, number>();

export type RecordOutcome = { status: 'recorded'; webhookId: string } | { status: 'duplicate'; webhookId: string };

const REASONS: Record<VerifyFailure, string> = {
  'missing-headers': 'webhook-id, webhook-timestamp and webhook-signature headers are required',
  'bad-timestamp': 'webhook-timestamp is not a Unix time in seconds',
  'stale-timestamp': 'webhook-timestamp is more than 5 minutes away from the current time',
  'bad-signature': 'no webhook-signature matches the body',
};

export async function verifyAndRecord(
  db: Kysely<Database>,
  secrets: readonly string[],
  inbound: InboundWebhook,
  now = Date.now(),
  bounds: RejectionBounds = DEFAULT_REJECTION_BOUNDS,
): Promise<RecordOutcome> {
  const failure = verifyWebhook(secrets, inbound.headers, inbound.rawBody, now);
  if (failure) {
    await recordRejection(db, inbound, failure, now, bounds);
    throw new ProblemError('invalid-signature', { detail: REASONS[failure], extensions: { reason: failure } });
  }
  const webhookId = inbound.headers.id as string;
  if (webhookId.length > 200) throw new ProblemError('bad-request', { detail: 'webhook-id is longer than 200 characters.' });
  const fresh = await recordInboxMessage(db, {
    source: inbound.source,
    messageId: webhookId,
    sentAtSeconds: Number(inbound.headers.timestamp),
    body: inbound.rawBody.toString('utf8'),
    now,
  });
  return { status: fresh ? 'recorded' : 'duplicate', webhookId };
}

export interface InboxEntry {
  source: string;
  /** Unique per source: a redelivery with the same id records nothing. At most 200 characters. */
  messageId: string;
  sentAtSeconds: number;
  body: string;
  now: number;
}

/**
 * Records one message for the processor, once per (source, id); resolves true when it is new.
 * Webhooks reach it after their signature is verified; change feeds the layer polls itself
 * (core/change-capture) record through it directly, in the transaction that moves their cursor.
 */
export async function recordInboxMessage(db: DbExecutor, entry: InboxEntry): Promise<boolean> {
  const inserted = await db
    .insertInto('inbox_messages')
    .values({
      source: entry.source,
      webhook_id: entry.messageId,
      webhook_timestamp: entry.sentAtSeconds,
      body: entry.body,
      state: 'received',
      last_error: null,
      next_attempt_ms: entry.now,
      claimed_by: null,
      lease_until_ms: null,
      received_at_ms: entry.now,
      processed_at_ms: null,
    })
    .onConflict((oc) => oc.columns(['source', 'webhook_id']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

async function recordRejection(
  db: Kysely<Database>,
  inbound: InboundWebhook,
  failure: VerifyFailure,
  now: number,
  bounds: RejectionBounds,
): Promise<void> {
  await db
    .deleteFrom('inbox_rejections')
    .where('received_at_ms', '<', now - bounds.retentionMs)
    .execute();
  const kept = await db
    .selectFrom('inbox_rejections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('source', '=', inbound.source)
    .executeTakeFirst();
  if (Number(kept?.n ?? 0) >= bounds.maxPerSource) {
    droppedRejections.set(inbound.source, (droppedRejections.get(inbound.source) ?? 0) + 1);
    return;
  }
  await db
    .insertInto('inbox_rejections')
    .values({
      source: inbound.source,
      webhook_id: inbound.headers.id?.slice(0, 200) ?? null,
      reason: failure,
      remote_address: inbound.remoteAddress ?? null,
      body_excerpt: inbound.rawBody.subarray(0, 512).toString('utf8'),
      received_at_ms: now,
    })
    .execute();
}

export interface Rejection {
  id: number;
  source: string;
  webhookId: string | null;
  reason: string;
  remoteAddress: string | null;
  receivedAt: Date;
}

/** Rejected webhooks, newest first, for the operations view. */
export async function listRejections(db: Kysely<Database>, options: { source?: string; limit?: number } = {}): Promise<Rejection[]> {
  let q = db
    .selectFrom('inbox_rejections')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.min(options.limit ?? 100, 1000));
  if (options.source) q = q.where('source', '=', options.source);
  return (await q.execute()).map((r) => ({
    id: Number(r.id),
    source: r.source,
    webhookId: r.webhook_id,
    reason: r.reason,
    remoteAddress: r.remote_address,
    receivedAt: new Date(Number(r.received_at_ms)),
  }));
}
