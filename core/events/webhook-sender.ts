// Sends one event to one webhook subscription, signed per Standard Webhooks, in CloudEvents
// structured mode. Only 2xx is success; redirects are not followed; 410 means "disable me".
import { Agent, fetch } from 'undici';
import { parseRetryAfter } from '../resilience/backoff.js';
import type { DeliveredEvent } from './envelope.js';
import { signWebhook } from './signature.js';
import { assertWebhookUrlAllowed, publicOnlyLookup } from './ssrf.js';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export type SendOutcome =
  { ok: true; status: number } | { ok: false; status?: number; gone: boolean; retryAfterMs?: number; error: string };

export interface WebhookSenderOptions {
  allowPrivateUrls: boolean;
  requireHttps?: boolean;
  timeoutMs?: number;
}

export class WebhookSender {
  private readonly agent: Agent;
  constructor(private readonly options: WebhookSenderOptions) {
    this.agent = new Agent({
      connections: 16,
      // Re-check every resolved address at connect time (DNS may change after validation).
      ...(options.allowPrivateUrls ? {} : { connect: { lookup: publicOnlyLookup } }),
    });
  }

  async send(target: WebhookTarget, event: DeliveredEvent, body: string, now = Date.now()): Promise<SendOutcome> {
    try {
      // Each delivery checks again: an IP-literal host never reaches the connect-time lookup.
      await assertWebhookUrlAllowed(target.url, {
        allowPrivate: this.options.allowPrivateUrls,
        requireHttps: this.options.requireHttps ?? false,
      });
    } catch (err) {
      return { ok: false, gone: false, error: err instanceof Error ? err.message : String(err) };
    }
    const timestamp = Math.floor(now / 1000);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        headers: {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(target.secret, event.id, timestamp, body),
        },
      });
      // Drain so the connection can be reused; the receiver's body is not needed.
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return {
        ok: false,
        status: res.status,
        gone: res.status === 410,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now),
        error: `HTTP ${res.status}`,
      };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { ok: false, gone: false, error: `${err instanceof Error ? err.message : String(err)}${cause}` };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
