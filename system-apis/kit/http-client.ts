// The HTTP client every connector uses to call its platform: timeouts, byte caps, retries
// only where safe, Retry-After, a circuit breaker per client, token refresh on 401, and
// every failure as problem details that name the platform and never carry credentials.
import { randomBytes } from 'node:crypto';
import { Agent } from 'undici';
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleType,
  IsolatedCircuitError,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import { exchange, ExchangeError, type Platform, type RawResponse } from './transport.js';
import { backoffMs, parseRetryAfter } from './retry-after.js';

export type { Platform } from './transport.js';

export interface PlatformRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to baseUrl, may include a query string. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to retry: idempotent methods, or a vendor upsert by external id. Default: GET/PUT/DELETE true, else false. */
  retryable?: boolean;
  /** Statuses the caller handles itself (e.g. 404 on a lookup) instead of an error. */
  acceptStatuses?: number[];
}

export interface PlatformResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface PlatformClientOptions {
  platform: Platform;
  baseUrl: string;
  /** Deadline of one attempt, headers and body together. */
  timeoutMs: number;
  /** Default 10 MiB; larger → 502 upstream-error. */
  maxResponseBytes?: number;
  /** Default 3 for retryable requests. */
  maxAttempts?: number;
  /** Adds auth headers; called per attempt (token refresh lives here). force=true after a 401: refetch the token once. */
  authorize?: (force: boolean) => Promise<Record<string, string>>;
  /** Maps a vendor error answer to a ProblemError (vendor message kept as detail, never credentials). */
  mapError: (res: PlatformResponse) => ProblemError;
  logger?: Logger;
  /** Propagated on outbound calls (with a new parent id per call). */
  traceparent?: () => string | undefined;
  /** Counts each upstream attempt: the HTTP status, or 503/504 when no answer came. */
  onCall?: (platform: Platform, method: string, status: number, durationMs: number) => void;
  /** Longest Retry-After we wait for; beyond it, fail fast with 503 and the vendor's Retry-After. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Exponential backoff bounds for retried 5xx and connection failures. Default 100 ms base, 2 s cap. */
  backoff?: { baseMs?: number; capMs?: number };
  /** Circuit breaker: opens after this many consecutive failed attempts (default 5), probes again after halfOpenAfterMs (default 10 s). */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /**
   * Paces attempts against the platform's published budgets: `before` resolves when an attempt
   * may be sent (every attempt, retries included), `after` sees each answer's status and headers.
   */
  pacer?: {
    before(method: string): Promise<void>;
    after(method: string, status: number, headers: Record<string, string>): void;
  };
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A failed attempt as the breaker sees it: 5xx, timeout, unreachable, unreadable. */
class AttemptFailure extends Error {
  constructor(readonly outcome: Outcome) {
    super('upstream attempt failed');
  }
}

type Outcome = { kind: 'response'; raw: RawResponse } | { kind: 'error'; error: ExchangeError };

function withPlatform(err: ProblemError, platform: Platform, upstreamStatus: number): ProblemError {
  err.extensions.platform ??= platform;
  err.extensions.upstreamStatus ??= upstreamStatus;
  return err;
}

/** Keeps the inbound trace id and flags, with a fresh parent id for this outbound call. */
function outboundTraceparent(inbound: string | undefined): string | undefined {
  const m = inbound ? TRACEPARENT.exec(inbound) : null;
  if (!m || /^0+$/.test(m[1])) return undefined;
  return `00-${m[1]}-${randomBytes(8).toString('hex')}-${m[3]}`;
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType ?? '');
}

export class PlatformClient {
  private readonly opts: PlatformClientOptions;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly dispatcher: Agent;
  private openedAt = 0;

  constructor(opts: PlatformClientOptions) {
    this.opts = opts;
    this.breaker = circuitBreaker(handleType(AttemptFailure), {
      halfOpenAfter: opts.breaker?.halfOpenAfterMs ?? 10_000,
      breaker: new ConsecutiveBreaker(opts.breaker?.consecutiveFailures ?? 5),
    });
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.dispatcher = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  }

  /** Closes pooled connections (at shutdown and in tests). */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  async request<T>(req: PlatformRequest): Promise<PlatformResponse<T>> {
    const { platform } = this.opts;
    const retryable = req.retryable ?? (req.method === 'GET' || req.method === 'PUT' || req.method === 'DELETE');
    const maxAttempts = retryable ? Math.max(1, this.opts.maxAttempts ?? 3) : 1;
    const maxRetryAfterMs = this.opts.maxRetryAfterMs ?? 30_000;
    let forcedAuth = false;
    let forceNext = false;
    let attempt = 0;
    for (;;) {
      attempt += 1;
      const outcome = await this.attempt(req, forceNext);
      forceNext = false;
      const last = attempt >= maxAttempts;
      if (outcome.kind === 'error') {
        const { error } = outcome;
        // A refused connection never reached the platform, so even an unsafe request may be sent again.
        const limit = retryable ? maxAttempts : error.failure === 'refused' ? Math.max(1, this.opts.maxAttempts ?? 3) : 1;
        if (error.failure === 'too-large' || attempt >= limit) throw error;
        await this.pause(this.backoff(attempt), error);
        continue;
      }
      const { raw } = outcome;
      const status = raw.status;
      if ((status >= 200 && status < 300) || req.acceptStatuses?.includes(status)) return this.parse<T>(raw, req);
      if (status === 401 && this.opts.authorize && !forcedAuth) {
        // The token may have been revoked or expired early: refetch once and try again.
        forcedAuth = true;
        forceNext = true;
        attempt -= 1;
        continue;
      }
      if (status === 401) {
        // Still refused after a fresh token: the layer's credentials are wrong, not the consumer's.
        throw new ProblemError('upstream-error', {
          detail: `The ${platform} platform refused the layer's credentials (401).`,
          extensions: { platform, upstreamStatus: status },
        });
      }
      if (status >= 300 && status < 400) {
        throw new ProblemError('upstream-error', {
          detail: `The ${platform} platform answered with a redirect (${status}), which is not followed.`,
          extensions: { platform, upstreamStatus: status },
        });
      }
      if (status === 429 || status === 503) {
        const waitMs = parseRetryAfter(raw.headers['retry-after']);
        const canWait = waitMs === undefined || waitMs <= maxRetryAfterMs;
        // A 429 means the platform refused before doing anything, so even an unsafe request may be resent.
        const mayRetry = (retryable || status === 429) && attempt < Math.max(1, this.opts.maxAttempts ?? 3);
        if (mayRetry && canWait) {
          const wait = waitMs ?? this.backoff(attempt);
          await this.pause(wait, undefined, status);
          continue;
        }
        throw new ProblemError('upstream-unavailable', {
          detail: status === 429 ? `The ${platform} platform is rate limiting the layer.` : `The ${platform} platform is unavailable.`,
          headers: waitMs !== undefined ? { 'Retry-After': String(Math.ceil(waitMs / 1000)) } : {},
          extensions: { platform, upstreamStatus: status },
        });
      }
      if (status >= 500 && retryable && !last) {
        await this.pause(this.backoff(attempt), undefined, status);
        continue;
      }
      throw this.vendorError(raw);
    }
  }

  private async attempt(req: PlatformRequest, forceAuth: boolean): Promise<Outcome> {
    const { platform } = this.opts;
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const trace = outboundTraceparent(this.opts.traceparent?.());
    if (trace) headers.traceparent = trace;
    try {
      return await this.breaker.execute(async () => {
        // Inside the breaker, so that an open circuit does not fetch tokens either.
        if (this.opts.authorize) Object.assign(headers, await this.opts.authorize(forceAuth));
        await this.opts.pacer?.before(req.method);
        const started = performance.now();
        let outcome: Outcome;
        try {
          outcome = {
            kind: 'response',
            raw: await exchange({
              platform,
              url: this.url(req),
              method: req.method,
              headers,
              body: req.body === undefined ? undefined : JSON.stringify(req.body),
              timeoutMs: this.opts.timeoutMs,
              maxResponseBytes: this.opts.maxResponseBytes ?? DEFAULT_MAX_BYTES,
              dispatcher: this.dispatcher,
            }),
          };
        } catch (err) {
          if (!(err instanceof ExchangeError)) throw err;
          outcome = { kind: 'error', error: err };
        }
        this.record(req.method, outcome, started);
        if (outcome.kind === 'response') this.opts.pacer?.after(req.method, outcome.raw.status, outcome.raw.headers);
        if (outcome.kind === 'error' || outcome.raw.status >= 500) throw new AttemptFailure(outcome);
        return outcome;
      });
    } catch (err) {
      if (err instanceof AttemptFailure) return err.outcome;
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
        const halfOpenAfter = this.opts.breaker?.halfOpenAfterMs ?? 10_000;
        const left = Math.max(1, Math.ceil((this.openedAt + halfOpenAfter - Date.now()) / 1000));
        this.opts.onCall?.(platform, req.method, 503, 0);
        throw new ProblemError('upstream-unavailable', {
          detail: `Calls to the ${platform} platform are paused after repeated failures (circuit open).`,
          headers: { 'Retry-After': String(left) },
          extensions: { platform, circuit: 'open' },
        });
      }
      throw err;
    }
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.opts.backoff?.baseMs ?? 100, this.opts.backoff?.capMs ?? 2_000);
  }

  private record(method: string, outcome: Outcome, started: number): void {
    const durationMs = performance.now() - started;
    const status = outcome.kind === 'response' ? outcome.raw.status : outcome.error.status;
    this.opts.onCall?.(this.opts.platform, method, status, durationMs);
    this.opts.logger?.debug({ platform: this.opts.platform, method, status, durationMs: Math.round(durationMs) }, 'upstream call');
  }

  private async pause(ms: number, error?: ExchangeError, status?: number): Promise<void> {
    this.opts.logger?.warn(
      { platform: this.opts.platform, waitMs: Math.round(ms), status: status ?? error?.status, failure: error?.failure },
      'retrying upstream call',
    );
    await new Promise((r) => setTimeout(r, ms));
  }

  private url(req: PlatformRequest): string {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    const path = req.path.startsWith('/') ? req.path : `/${req.path}`;
    const url = new URL(base + path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.append(key, String(value));
    }
    return url.toString();
  }

  private decode(raw: RawResponse): unknown {
    if (raw.body.length === 0) return undefined;
    const text = raw.body.toString('utf8');
    if (!isJson(raw.headers['content-type'])) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProblemError('upstream-error', {
        detail: `The ${this.opts.platform} platform answered with malformed JSON.`,
        extensions: { platform: this.opts.platform, upstreamStatus: raw.status },
      });
    }
  }

  private parse<T>(raw: RawResponse, req: PlatformRequest): PlatformResponse<T> {
    const body = this.decode(raw);
    if (typeof body === 'string' && raw.status >= 200 && raw.status < 300 && !req.acceptStatuses?.includes(raw.status)) {
      throw new ProblemError('upstream-error', {
        detail: `The ${this.opts.platform} platform answered with ${raw.headers['content-type'] ?? 'no content type'} where JSON was expected.`,
        extensions: { platform: this.opts.platform, upstreamStatus: raw.status },
      });
    }
    // The body's shape is the connector's to check against T; here it is only known to be JSON.
    return { status: raw.status, headers: raw.headers, body: body as T };
  }

  private vendorError(raw: RawResponse): ProblemError {
    const { platform } = this.opts;
    let body: unknown;
    try {
      body = this.decode(raw);
    } catch {
      body = raw.body.toString('utf8').slice(0, 500);
    }
    const mapped = withPlatform(this.opts.mapError({ status: raw.status, headers: raw.headers, body }), platform, raw.status);
    if (raw.status >= 500 && mapped.status < 500) {
      // A platform failure is never the consumer's fault, whatever the vendor body says.
      return new ProblemError('upstream-error', {
        detail: mapped.detail,
        extensions: { ...mapped.extensions, upstreamStatus: raw.status },
      });
    }
    return mapped;
  }
}
