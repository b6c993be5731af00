// Processes recorded inbound webhooks once. Each message is claimed with a lease, and the
// handler runs inside the transaction that marks it processed: effects the handler makes
// in that transaction happen exactly once; calls it makes elsewhere are at least once and
// should carry the webhook id as their idempotency key. Failures retry with backoff and
// end in state `failed` for operators (`requeue` puts one back).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Logger } from '../observability/logger.js';
import { ProblemError } from '../problems.js';
import { backoffDelay, type BackoffPolicy, type Random } from '../resilience/backoff.js';
import { describeError } from '../resilience/errors.js';
import { PollLoop } from '../resilience/poll-loop.js';
import type { Store } from '../store/index.js';
import type { Database } from '../store/schema.js';
import type { InboxMessagesTable, InboxState } from './schema.js';
import './schema.js';

export interface InboxMessage {
  source: string;
  webhookId: string;
  /** The sender's timestamp. */
  sentAt: Date;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  payload: unknown;
  attempt: number;
}

/** Handles one message. Keep it short on SQLite: it runs inside the store's single writer transaction. */
export type InboxHandler = (message: InboxMessage, ctx: { trx: Transaction<Database> }) => Promise<void>;

export interface InboxProcessorOptions {
  store: Store;
  onEvent: InboxHandler;
  workerId?: string;
  leaseMs?: number;
  batchSize?: number;
  pollMs?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  logger?: Logger;
  random?: Random;
}

class LeaseLost extends Error {}

export class InboxProcessor {
  readonly workerId: string;
  private readonly loop: PollLoop;

  constructor(private readonly o: InboxProcessorOptions) {
    this.workerId = o.workerId ?? `inbox-${randomUUID()}`;
    this.loop = new PollLoop(
      () => this.processOnce(),
      o.pollMs ?? 500,
      (err) => o.logger?.error({ err }, 'inbox processing round failed'),
    );
  }

  /** Claims and processes one batch of due messages; returns how many were attempted. */
  async processOnce(): Promise<number> {
    const { db, engine } = this.o.store;
    const now = Date.now();
    const leaseMs = this.o.leaseMs ?? 60_000;
    let candidates = db
      .selectFrom('inbox_messages')
      .select(['source', 'webhook_id'])
      .where('state', '=', 'received')
      .where('next_attempt_ms', '<=', now)
      .where((eb) => eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', now)]))
      .orderBy('received_at_ms')
      .limit(this.o.batchSize ?? 50);
    if (engine === 'postgres') candidates = candidates.forUpdate().skipLocked();
    const batch = await candidates.execute();
    let attempted = 0;
    for (const key of batch) {
      // Claim one at a time (a composite key does not fit `IN (subquery)` on both engines).
      const row = await db
        .updateTable('inbox_messages')
        .set({ claimed_by: this.workerId, lease_until_ms: now + leaseMs })
        .where('source', '=', key.source)
        .where('webhook_id', '=', key.webhook_id)
        .where('state', '=', 'received')
        .where((eb) => eb.or([eb('lease_until_ms', 'is', null), eb('lease_until_ms', '<', now)]))
        .returningAll()
        .executeTakeFirst();
      if (!row) continue;
      attempted++;
      await this.processRow(db, row);
    }
    return attempted;
  }

  private async processRow(db: Kysely<Database>, row: Selectable<InboxMessagesTable>): Promise<void> {
    const attempt = Number(row.attempts) + 1;
    let payload: unknown;
    try {
      payload = JSON.parse(row.body);
    } catch {
      payload = undefined;
    }
    const message: InboxMessage = {
      source: row.source,
      webhookId: row.webhook_id,
      sentAt: new Date(Number(row.webhook_timestamp) * 1000),
      rawBody: row.body,
      payload,
      attempt,
    };
    try {
      await db.transaction().execute(async (trx) => {
        await this.o.onEvent(message, { trx });
        const done = await trx
          .updateTable('inbox_messages')
          .set({
            state: 'processed',
            attempts: attempt,
            processed_at_ms: Date.now(),
            claimed_by: null,
            lease_until_ms: null,
            last_error: null,
          })
          .where('source', '=', row.source)
          .where('webhook_id', '=', row.webhook_id)
          .where('claimed_by', '=', this.workerId)
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) throw new LeaseLost('lease lost while processing');
      });
    } catch (err) {
      if (err instanceof LeaseLost) return;
      const maxAttempts = this.o.maxAttempts ?? 10;
      const state: InboxState = attempt >= maxAttempts ? 'failed' : 'received';
      const delay = backoffDelay(attempt, this.o.backoff ?? { baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 }, this.o.random);
      this.o.logger?.warn(
        { source: row.source, webhookId: row.webhook_id, attempt, err: describeError(err) },
        'inbound webhook processing failed',
      );
      await db
        .updateTable('inbox_messages')
        .set({
          state,
          attempts: attempt,
          last_error: describeError(err).message.slice(0, 2000),
          next_attempt_ms: Date.now() + delay,
          claimed_by: null,
          lease_until_ms: null,
        })
        .where('source', '=', row.source)
        .where('webhook_id', '=', row.webhook_id)
        .where('claimed_by', '=', this.workerId)
        .execute();
    }
  }

  /** Processes until nothing is due now. */
  async drain(maxRounds = 1_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.processOnce()) === 0) return;
  }

  kick(): void {
    this.loop.kick();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}

/** Operator action: put a failed message back for another round of attempts. */
export async function requeueInboxMessage(db: Kysely<Database>, source: string, webhookId: string): Promise<void> {
  const result = await db
    .updateTable('inbox_messages')
    .set({ state: 'received', attempts: 0, next_attempt_ms: Date.now(), claimed_by: null, lease_until_ms: null })
    .where('source', '=', source)
    .where('webhook_id', '=', webhookId)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0)
    throw new ProblemError('not-found', { detail: `No failed inbound webhook ${source}/${webhookId}.` });
}
