// Prometheus metrics: one registry per gateway instance (tests start several in one
// process), with the HTTP request counter and latency histogram and the default process metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status' | 'consumer'>;
  duration: Histogram<'method' | 'route' | 'status' | 'consumer'>;
  /** Rate-limit store failures: the request was let through without counting (fail open). */
  rateLimitStoreErrors: Counter<'limiter'>;
  /** JWKS fetch failures (timeouts, bad answers): tokens could not be checked. */
  jwksErrors: Counter<'reason'>;
  tokenCache: TokenCacheMetrics;
}

/** The gateway's cache of verified bearer tokens (gateway/auth/token-cache.ts). */
export interface TokenCacheMetrics {
  hits: Counter;
  misses: Counter;
  evictions: Counter<'reason'>;
  size: Gauge;
}

export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status', 'consumer'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template, status and consumer',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by method, route template, status and consumer',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: 'gateway_rate_limit_store_errors_total',
      help: 'Rate-limit store errors; each let one request through uncounted (fail open)',
      labelNames: ['limiter'],
      registers: [registry],
    }),
    jwksErrors: new Counter({
      name: 'gateway_jwks_errors_total',
      help: 'Failures to fetch or read the JWKS while verifying a token',
      labelNames: ['reason'],
      registers: [registry],
    }),
    tokenCache: {
      hits: new Counter({
        name: 'gateway_token_cache_hits_total',
        help: 'Bearer tokens found in the cache of verified tokens (no signature check needed)',
        registers: [registry],
      }),
      misses: new Counter({
        name: 'gateway_token_cache_misses_total',
        help: 'Bearer tokens not in the cache of verified tokens (or no longer usable there), verified in full',
        registers: [registry],
      }),
      evictions: new Counter({
        name: 'gateway_token_cache_evictions_total',
        help: 'Entries dropped from the cache of verified tokens: expired, key-removed (key left or changed in the JWKS) or capacity',
        labelNames: ['reason'],
        registers: [registry],
      }),
      size: new Gauge({
        name: 'gateway_token_cache_entries',
        help: 'Verified bearer tokens held in the cache',
        registers: [registry],
      }),
    },
  };
}
