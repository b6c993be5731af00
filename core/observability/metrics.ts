// Prometheus metrics: one registry per gateway instance (tests start several in one
// process), with the HTTP request counter and latency histogram and the default process metrics.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status' | 'consumer'>;
  duration: Histogram<'method' | 'route' | 'status' | 'consumer'>;
  /** Rate-limit store failures: the request was let through without counting (fail open). */
  rateLimitStoreErrors: Counter<'limiter'>;
  /** JWKS fetch failures (timeouts, bad answers): tokens could not be checked. */
  jwksErrors: Counter<'reason'>;
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
  };
}
