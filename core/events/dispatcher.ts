// Delivers outbox events: in-process subscribers straight from a claimed outbox batch, and
// webhook subscriptions (plus every retry and replay) through per-subscriber delivery rows.
// Delivery is at least once per (event, subscriber); subscribers de-duplicate (dedupe.ts).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import { backoffDelay, type BackoffPolicy, type Random } from '../resilience/backoff.js';
import { PollLoop } from '../resilience/poll-loop.js';
import type { Store } from '../store/index.js';
import type { Insertable } from 'kysely';
import type { EventDeliveriesTable } from './schema.js';
import { claimDueDeliveries, claimOutbox, keepLeased, type ClaimedDelivery } from './claims.js';
import { deferredTargets, registerLocalSubscribers, subscriberPatterns } from './targets.js';
import { typeMatcher, type DeliveredEvent } from './envelope.js';
import { noopEventMetrics, type EventMetrics } from './metrics.js';
import { WebhookSender } from './webhook-sender.js';
import './schema.js';

export interface LocalSubscriber {
  /** Stable name: deliveries, retries and replays are recorded under `local:<name>`. */
  name: string;
  /** Type patterns: `*`, `prefix.*` or exact types. */
  types: string[];
  handle(event: DeliveredEvent): Promise<void> | void;
}

export interface DispatcherOptions {
  store: Store;
  workerId?: string;
  leaseMs?: number;
  batchSize?: number;
  pollMs?: number;
  /** Attempts per (event, subscriber) before the delivery is dead. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Longest `Retry-After` honoured, so a receiver cannot park a delivery for days. */
  maxRetryAfterMs?: number;
  webhookConcurrency?: number;
  webhookTimeoutMs?: number;
  allowPrivateUrls?: boolean;
  /** Production: refuse to deliver to a plain-http URL. */
  requireHttps?: boolean;
  metrics?: EventMetrics;
  logger?: Logger;
  random?: Random;
}

type NewDeliveryRow = Insertable<EventDeliveriesTable>;

interface Registered extends LocalSubscriber {
  matches(type: string): boolean;
}

export class EventDispatcher {
  readonly workerId: string;
  private readonly subscribers = new Map<string, Registered>();
  private readonly sender: WebhookSender;
  private readonly o: Required<Omit<DispatcherOptions, 'logger' | 'workerId'>> & { logger?: Logger };
  private readonly loop: PollLoop;
  private registered = false;

  constructor(options: DispatcherOptions) {
    this.workerId = options.workerId ?? `dispatcher-${randomUUID()}`;
    this.o = {
      store: options.store,
      leaseMs: options.leaseMs ?? 30_000,
      batchSize: options.batchSize ?? 500,
      pollMs: options.pollMs ?? 250,
      maxAttempts: options.maxAttempts ?? 12,
      backoff: options.backoff ?? { baseDelayMs: 1_000, maxDelayMs: 60 * 60_000 },
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60 * 60_000,
      webhookConcurrency: options.webhookConcurrency ?? 8,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
      allowPrivateUrls: options.allowPrivateUrls ?? false,
      requireHttps: options.requireHttps ?? false,
      metrics: options.metrics ?? noopEventMetrics,
      random: options.random ?? Math.random,
      logger: options.logger,
    };
    this.sender = new WebhookSender({
      allowPrivateUrls: this.o.allowPrivateUrls,
      requireHttps: this.o.requireHttps,
      timeoutMs: this.o.webhookTimeoutMs,
    });
    this.loop = new PollLoop(
      async () => (await this.dispatchOnce()) + (await this.deliverDueOnce()),
      this.o.pollMs,
      (err) => this.o.logger?.error({ err }, 'event dispatcher round failed'),
    );
  }

  /**
   * Registers an in-process subscriber, before start(). Names are also recorded in the store:
   * an event claimed by a process that lacks a subscriber some process registered (an older
   * version during a rolling deploy) gets a pending delivery row for it, which a process that
   * has it delivers. `retireLocalSubscriber` removes a name for good.
   */
  subscribe(subscriber: LocalSubscriber): this {
    if (this.loop.isRunning) throw new Error(`subscriber ${subscriber.name} registered after the dispatcher started`);
    this.subscribers.set(subscriber.name, { ...subscriber, matches: typeMatcher(subscriber.types) });
    return this;
  }

  /** Type patterns of a subscriber (`local:<name>` or `webhook:<id>`), for replay. */
  async patternsOf(subscriber: string): Promise<string[]> {
    const local = subscriber.startsWith('local:') ? this.subscribers.get(subscriber.slice(6)) : undefined;
    return local ? local.types : subscriberPatterns(this.o.store.db, subscriber);
  }

  private nextAttemptAt(attempts: number, now: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return now + Math.min(retryAfterMs, this.o.maxRetryAfterMs);
    return now + backoffDelay(attempts, this.o.backoff, this.o.random);
  }

  /**
   * Claims one batch of undispatched outbox events, hands each to the matching in-process
   * subscribers, and in one transaction records webhook fan-out and failed local deliveries
   * as delivery rows and marks the batch dispatched. Returns the number of events claimed.
   */
  async dispatchOnce(): Promise<number> {
    const { db, engine } = this.o.store;
    if (!this.registered) {
      await registerLocalSubscribers(db, [...this.subscribers.values()]);
      this.registered = true;
    }
    const now = Date.now();
    const claimed = await claimOutbox(db, engine, this.workerId, now, this.o.leaseMs, this.o.batchSize);
    if (claimed.length === 0) return 0;
    const events = claimed.map((r) => ({ ...(JSON.parse(r.envelope) as Omit<DeliveredEvent, 'seq'>), seq: r.seq }));
    const release = keepLeased(
      db,
      'event_outbox',
      claimed.map((c) => c.seq),
      this.workerId,
      this.o.leaseMs,
      this.leaseError,
    );
    try {
      await this.dispatchClaimed(events, now);
    } finally {
      release();
    }
    return events.length;
  }

  private async dispatchClaimed(events: DeliveredEvent[], now: number): Promise<void> {
    const { db } = this.o.store;
    const rows: NewDeliveryRow[] = [];
    const delivered = new Map<string, number>();
    for (const event of events) {
      for (const sub of this.subscribers.values()) {
        if (!sub.matches(event.type)) continue;
        try {
          await sub.handle(event);
          delivered.set(sub.name, (delivered.get(sub.name) ?? 0) + 1);
        } catch (err) {
          this.o.metrics.failed(`local:${sub.name}`, 1);
          rows.push(this.failedRow(event.seq, `local:${sub.name}`, now, err));
        }
      }
    }
    for (const [name, count] of delivered) this.o.metrics.delivered(`local:${name}`, count);

    // Webhooks, and in-process subscribers that only other processes have, get delivery rows.
    const deferred = await deferredTargets(db, new Set(this.subscribers.keys()));
    for (const event of events) {
      for (const target of deferred) {
        if (target.matches(event.type)) rows.push(this.pendingRow(event.seq, target.subscriber, now));
      }
    }
    const seqs = events.map((e) => e.seq);
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('event_deliveries')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['event_seq', 'subscriber']).doNothing())
          .execute();
      }
      for (let i = 0; i < seqs.length; i += 1000) {
        await trx
          .updateTable('event_outbox')
          .set({ dispatched: 1, dispatched_at_ms: now, claimed_by: null, lease_until_ms: null })
          .where('seq', 'in', seqs.slice(i, i + 1000))
          .where('claimed_by', '=', this.workerId)
          .execute();
      }
    });
    if (rows.length > 0) this.kick();
  }

  private readonly leaseError = (err: unknown) => this.o.logger?.warn({ err }, 'renewing an event lease failed');

  private pendingRow(eventSeq: number, subscriber: string, now: number): NewDeliveryRow {
    return {
      event_seq: eventSeq,
      subscriber,
      state: 'pending',
      attempts: 0,
      next_attempt_ms: now,
      last_status: null,
      last_error: null,
      claimed_by: null,
      lease_until_ms: null,
      created_at_ms: now,
      delivered_at_ms: null,
    };
  }

  private failedRow(eventSeq: number, subscriber: string, now: number, err: unknown): NewDeliveryRow {
    return {
      ...this.pendingRow(eventSeq, subscriber, now),
      attempts: 1,
      next_attempt_ms: this.nextAttemptAt(1, now),
      last_error: err instanceof Error ? err.message : String(err),
    };
  }

  /**
   * Claims due delivery rows (webhooks, retries, replays), attempts each once and records
   * the outcome. Returns the number of deliveries attempted.
   */
  async deliverDueOnce(): Promise<number> {
    const { db, engine } = this.o.store;
    const now = Date.now();
    const claimed = await claimDueDeliveries(
      db,
      engine,
      this.workerId,
      [...this.subscribers.keys()],
      now,
      this.o.leaseMs,
      this.o.batchSize,
    );
    if (claimed.length === 0) return 0;
    const seqs = [...new Set(claimed.map((c) => c.eventSeq))];
    const envelopes = new Map<number, string>();
    for (let i = 0; i < seqs.length; i += 1000) {
      const rows = await db
        .selectFrom('event_outbox')
        .select(['seq', 'envelope'])
        .where('seq', 'in', seqs.slice(i, i + 1000))
        .execute();
      for (const r of rows) envelopes.set(Number(r.seq), r.envelope);
    }
    const hookIds = [...new Set(claimed.filter((c) => c.subscriber.startsWith('webhook:')).map((c) => c.subscriber.slice(8)))];
    const hooks = new Map(
      (hookIds.length ? await db.selectFrom('webhook_subscriptions').selectAll().where('id', 'in', hookIds).execute() : []).map((h) => [
        h.id,
        h,
      ]),
    );

    type Outcome = {
      d: ClaimedDelivery;
      ok: boolean;
      status?: number;
      error?: string;
      retryAfterMs?: number;
      dead?: boolean;
      gone?: boolean;
    };
    const outcomes: Outcome[] = [];
    const attempt = async (d: ClaimedDelivery): Promise<Outcome> => {
      const body = envelopes.get(d.eventSeq);
      if (body === undefined) return { d, ok: false, dead: true, error: 'event no longer in the outbox' };
      const event: DeliveredEvent = { ...(JSON.parse(body) as Omit<DeliveredEvent, 'seq'>), seq: d.eventSeq };
      if (d.subscriber.startsWith('local:')) {
        const sub = this.subscribers.get(d.subscriber.slice(6));
        if (!sub) return { d, ok: false, error: 'subscriber not registered in this process' };
        try {
          await sub.handle(event);
          return { d, ok: true };
        } catch (err) {
          return { d, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      }
      const hook = hooks.get(d.subscriber.slice(8));
      if (!hook || hook.state !== 'active') return { d, ok: false, dead: true, error: 'subscription disabled or removed' };
      const result = await this.sender.send({ url: hook.url, secret: hook.secret }, event, body);
      if (result.ok) return { d, ok: true, status: result.status };
      return {
        d,
        ok: false,
        status: result.status,
        error: result.error,
        retryAfterMs: result.retryAfterMs,
        gone: result.gone,
        dead: result.gone,
      };
    };
    // Bounded concurrency: webhooks are slow, in-process handlers are not.
    const release = keepLeased(
      db,
      'event_deliveries',
      claimed.map((c) => c.id),
      this.workerId,
      this.o.leaseMs,
      this.leaseError,
    );
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.o.webhookConcurrency, claimed.length) }, async () => {
          while (next < claimed.length) outcomes.push(await attempt(claimed[next++]));
        }),
      );
    } finally {
      release();
    }

    const done = Date.now();
    await db.transaction().execute(async (trx) => {
      const okIds = outcomes.filter((o) => o.ok).map((o) => o.d.id);
      for (let i = 0; i < okIds.length; i += 1000) {
        await trx
          .updateTable('event_deliveries')
          .set((eb) => ({
            state: 'delivered',
            attempts: eb('attempts', '+', 1),
            delivered_at_ms: done,
            claimed_by: null,
            lease_until_ms: null,
            last_error: null,
          }))
          .where('id', 'in', okIds.slice(i, i + 1000))
          .where('claimed_by', '=', this.workerId)
          .execute();
      }
      for (const o of outcomes.filter((x) => !x.ok)) {
        const attempts = o.d.attempts + 1;
        const dead = o.dead === true || attempts >= this.o.maxAttempts;
        await trx
          .updateTable('event_deliveries')
          .set({
            state: dead ? 'dead' : 'pending',
            attempts,
            next_attempt_ms: this.nextAttemptAt(attempts, done, o.retryAfterMs),
            last_status: o.status ?? null,
            last_error: (o.error ?? 'failed').slice(0, 2000),
            claimed_by: null,
            lease_until_ms: null,
          })
          .where('id', '=', o.d.id)
          .where('claimed_by', '=', this.workerId)
          .execute();
        if (o.gone) {
          await trx
            .updateTable('webhook_subscriptions')
            .set({ state: 'disabled', disabled_reason: 'receiver answered 410 Gone', updated_at_ms: done })
            .where('id', '=', o.d.subscriber.slice(8))
            .execute();
        }
      }
    });
    for (const o of outcomes) {
      if (o.ok) this.o.metrics.delivered(o.d.subscriber, 1);
      else if (o.dead || o.d.attempts + 1 >= this.o.maxAttempts) this.o.metrics.dead(o.d.subscriber, 1);
      else this.o.metrics.failed(o.d.subscriber, 1);
    }
    if (outcomes.some((o) => !o.ok))
      this.o.logger?.warn({ failed: outcomes.filter((o) => !o.ok).length }, 'event deliveries failed; will retry');
    return claimed.length;
  }

  /** Runs dispatch and due deliveries until nothing is left to do now (tests, shutdown). */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const n = (await this.dispatchOnce()) + (await this.deliverDueOnce());
      if (n === 0) return;
    }
  }

  /** Wakes the polling loop now (e.g. right after a transaction that emitted events). */
  kick(): void {
    this.loop.kick();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.sender.close();
  }
}
