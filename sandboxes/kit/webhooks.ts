// Outbound webhooks signed per Standard Webhooks (webhook-id, webhook-timestamp,
// webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>"), delivered in the
// background with retries, and with the delivery faults real senders show.
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { Logger } from 'pino';
import type { FaultController } from './faults.js';

export interface WebhookDeliveryRecord {
  webhookId: string;
  eventType: string;
  url: string;
  attempts: number;
  /** Last HTTP status, or undefined when the subscriber could not be reached. */
  status?: number;
  delivered: boolean;
  duplicate: boolean;
}

interface Message {
  id: string;
  eventType: string;
  body: string;
  duplicate: boolean;
}

const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5_000;
const RETRY_AFTER_CAP_MS = 30_000;
const ATTEMPT_TIMEOUT_MS = 5_000;
const LOG_SIZE = 500;

/** The HMAC key of a secret: `whsec_<base64>` per Standard Webhooks, else the secret's own bytes. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const trimmed = value.trim();
  // delay-seconds, or an HTTP-date (which starts with a day name).
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) - Date.now() : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS) : undefined;
}

export class WebhookSender {
  private readonly subscribers = new Map<string, string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private batch: Message[] = [];
  private batchTimer?: Promise<void>;
  private readonly log: WebhookDeliveryRecord[] = [];

  constructor(private readonly opts: { secret: string; faults: FaultController; logger: Logger; platform: string }) {}

  subscribe(url: string, secret?: string): void {
    this.subscribers.set(url, secret ?? this.opts.secret);
  }

  unsubscribe(url?: string): void {
    if (url === undefined) this.subscribers.clear();
    else this.subscribers.delete(url);
  }

  subscriptions(): Array<{ url: string }> {
    return [...this.subscribers.keys()].map((url) => ({ url }));
  }

  /** The most recent delivery attempts, oldest first (for tests and the admin API). */
  deliveries(): WebhookDeliveryRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /**
   * Queues delivery of `payload` (JSON) to every subscriber; returns the webhook id (`opts.id` when the
   * sender has a natural one, such as an event's own key). Retries 5xx with backoff.
   */
  send(eventType: string, payload: unknown, opts: { id?: string } = {}): string {
    const id = opts.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
    this.batch.push({ id, eventType, body: JSON.stringify(payload), duplicate: false });
    if (!this.batchTimer) {
      // With reordering on, messages sent within the window form one batch delivered in reverse.
      const faults = this.opts.faults.get();
      const wait = faults.webhookReorder ? faults.webhookReorderWindowMs : 0;
      this.batchTimer = new Promise<void>((resolve) =>
        setTimeout(() => {
          this.batchTimer = undefined;
          this.flush();
          resolve();
        }, wait),
      );
    }
    return id;
  }

  /** Resolves when every queued delivery has been attempted (for tests). */
  async drain(): Promise<void> {
    while (this.batchTimer || this.inflight.size > 0) {
      await Promise.allSettled([this.batchTimer, ...this.inflight]);
    }
  }

  private flush(): void {
    const faults = this.opts.faults.get();
    let messages = this.batch;
    this.batch = [];
    if (faults.webhookReorder && messages.length > 1) messages = [...messages].reverse();
    const withDuplicates: Message[] = [];
    for (const m of messages) {
      withDuplicates.push(m);
      const dup = this.opts.faults.roll(faults.webhookDuplicateRate, `duplicate ${m.eventType}`);
      if (dup) withDuplicates.push({ ...m, duplicate: true });
    }
    for (const [url, secret] of this.subscribers) {
      // One chain per subscriber: deliveries to one endpoint go out in (possibly reordered) sequence.
      const previous = this.chains.get(url) ?? Promise.resolve();
      const next = previous.then(async () => {
        for (const m of withDuplicates) await this.deliver(url, secret, m);
      });
      this.chains.set(url, next);
      this.inflight.add(next);
      void next.finally(() => {
        this.inflight.delete(next);
        if (this.chains.get(url) === next) this.chains.delete(url);
      });
    }
  }

  private async deliver(url: string, secret: string, m: Message): Promise<void> {
    const record: WebhookDeliveryRecord = {
      webhookId: m.id,
      eventType: m.eventType,
      url,
      attempts: 0,
      delivered: false,
      duplicate: m.duplicate,
    };
    this.log.push(record);
    if (this.log.length > LOG_SIZE) this.log.shift();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && this.subscribers.has(url); attempt++) {
      record.attempts = attempt;
      const timestamp = Math.floor(Date.now() / 1000);
      let wait: number | undefined;
      try {
        const res = await request(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': m.id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook(secret, m.id, timestamp, m.body),
            'user-agent': `sandbox-${this.opts.platform}-webhooks`,
          },
          body: m.body,
          headersTimeout: ATTEMPT_TIMEOUT_MS,
          bodyTimeout: ATTEMPT_TIMEOUT_MS,
        });
        await res.body.dump();
        record.status = res.statusCode;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          record.delivered = true;
          return;
        }
        if (res.statusCode === 410) {
          // The subscriber asked to be forgotten.
          this.subscribers.delete(url);
          return;
        }
        if (res.statusCode !== 429 && res.statusCode < 500) return;
        wait = retryAfterMs(res.headers['retry-after']);
      } catch (err) {
        this.opts.logger.debug({ url, webhookId: m.id, err: (err as Error).message }, 'webhook delivery failed');
      }
      if (attempt < MAX_ATTEMPTS) {
        // Full jitter: a random wait up to the exponential bound.
        const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, wait ?? backoff));
      }
    }
  }
}
