// Idempotency-Key for unsafe operations (IETF httpapi draft "The Idempotency-Key HTTP
// Header Field"). A route declares it: `router.post('/x', idempotency({ store, required: true }), handler)`.
//
// What a request with a key gets:
//   - header not a Structured Field string, or empty, or > 255 chars: 400 idempotency-key-malformed
//   - no header on an operation that requires one: 400 idempotency-key-missing
//   - first use of the key (per consumer): the handler runs; its outcome is stored or not (below)
//   - same key, same request (method, path with query, canonical body) after it finished: the
//     stored status, body and selected headers again, with `Idempotent-Replayed: true`
//   - same key, another request: 422 idempotency-key-reused
//   - same key while the first is still running: 409 idempotency-request-in-flight, Retry-After: 1
//   - an in-flight key whose lock lapsed (IDEMPOTENCY_LOCK_SECONDS, default 60: the owner
//     crashed or hung) is taken over by the next request, which runs the handler again
//   - a key older than the retention (IDEMPOTENCY_RETENTION_HOURS, default 24) is new again
//
// Which outcomes are stored (like Stripe): 2xx, 3xx and the 4xx that are the operation's
// business answer (404, 410, 412, 422, …) are stored and replayed. NOT stored, so the client
// may fix the request or retry with the same key: 5xx (the record is released), and 400,
// 401, 403, 408, 409, 413, 415, 425, 429 (validation failures, auth, conflicts, throttling).
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../observability/logger.js';
import { ProblemError } from '../problems.js';
import type { Store } from '../store/index.js';
import { holdResponseUntil } from './capture.js';
import { requestFingerprint } from './fingerprint.js';
import { parseIdempotencyKey } from './header.js';
import { claimKey, completeKey, releaseKey, type StoredResponse } from './records.js';
import '../http/context.js';

/** Statuses that are the answer to the request itself, not to how or when it was sent. */
const NOT_STORED_4XX = new Set([400, 401, 403, 408, 409, 413, 415, 425, 429]);

export function isStoredOutcome(status: number): boolean {
  if (status >= 500) return false;
  if (status >= 400) return !NOT_STORED_4XX.has(status);
  return status >= 200;
}

/** Response headers kept with the outcome and sent again on replay. */
export const REPLAYED_HEADERS = ['content-type', 'location', 'content-location', 'etag', 'last-modified', 'link'] as const;

/** Consumer used when a route runs without authentication (development tools only). */
export const ANONYMOUS_CONSUMER = 'anonymous';

export interface IdempotencyOptions {
  store: Store;
  /** true: a request without the header is a 400; false: without it the handler runs unprotected. */
  required: boolean;
  /** How long a key is remembered (default 24 hours). */
  retentionHours?: number;
  /** How long an in-flight key blocks others before a new request may take it over (default 60 s). */
  lockSeconds?: number;
  /** Defaults to the request's logger. */
  logger?: Logger;
  /** Epoch milliseconds; replaceable so tests can move time past a lock or the retention. */
  now?: () => number;
}

function replay(res: Response, stored: StoredResponse): void {
  res.status(stored.status);
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  res.end(stored.body);
}

export function idempotency(options: IdempotencyOptions): RequestHandler {
  const { store, required } = options;
  const retentionMs = (options.retentionHours ?? 24) * 3_600_000;
  const lockMs = (options.lockSeconds ?? 60) * 1_000;
  const now = options.now ?? Date.now;

  return async (req, res, next) => {
    const header = req.get('idempotency-key');
    if (header === undefined) {
      if (required) {
        throw new ProblemError('idempotency-key-missing', {
          detail:
            'This operation requires an Idempotency-Key header: a Structured Field string such as "8e03978e-40d5-43e8-bc93-6894a57f9324".',
        });
      }
      return next();
    }
    const key = parseIdempotencyKey(header);
    const consumer = req.auth?.consumer ?? ANONYMOUS_CONSUMER;
    const log = options.logger ?? req.log;
    const claim = await claimKey(store.db, { consumer, key, fingerprint: requestFingerprint(req), now: now(), lockMs, retentionMs });

    switch (claim.kind) {
      case 'mismatch':
        throw new ProblemError('idempotency-key-reused', {
          detail: 'This Idempotency-Key was already used for a different request (method, path or body). Use a new key for a new request.',
        });
      case 'in-flight':
        throw new ProblemError('idempotency-request-in-flight', {
          detail: 'The first request with this Idempotency-Key is still being processed. Retry shortly to get its response.',
          headers: { 'Retry-After': '1' },
        });
      case 'replay':
        replay(res, claim.response);
        return;
      case 'owner': {
        if (claim.takenOver)
          log?.warn({ consumer, idempotencyKey: key }, 'idempotency: took over a key whose lock lapsed or whose retention ended');
        const owned = { consumer, key, owner: claim.owner };
        holdResponseUntil(res, async (captured) => {
          try {
            if (isStoredOutcome(captured.status)) {
              const headers: Record<string, string> = {};
              for (const name of REPLAYED_HEADERS) if (captured.headers[name] !== undefined) headers[name] = captured.headers[name];
              const stored = await completeKey(store.db, owned, { status: captured.status, headers, body: captured.body });
              if (!stored)
                log?.warn({ consumer, idempotencyKey: key }, 'idempotency: claim was taken over before completion; outcome not stored');
            } else {
              await releaseKey(store.db, owned);
            }
          } catch (error) {
            // The effect has happened; the response must still reach the client. The key stays
            // in flight until its lock lapses, then a retry runs again: logged loudly for operators.
            log?.error({ err: error, consumer, idempotencyKey: key }, 'idempotency: failed to record the outcome');
          }
        });
        return next();
      }
    }
  };
}
