// Rate limits per consumer (the client IP only for unauthenticated public routes), with
// tiers per consumer or scope. Headers follow the IETF httpapi RateLimit fields draft -10:
//   RateLimit-Policy: "per-consumer";q=100;w=60     RateLimit: "per-consumer";r=42;t=17
// express-rate-limit's `draft-8` output adds spaces and a `pk` partition key (a hash of
// the consumer id) that clients do not need, so the fields are written here instead.
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options, type RateLimitInfo, type Store } from 'express-rate-limit';
import type { GatewayConfig, RateLimitTier } from '../../core/config/gateway.js';
import type { Logger } from '../../core/observability/logger.js';
import type { HttpMetrics } from '../../core/observability/metrics.js';
import { ProblemError } from '../../core/problems.js';
import type { GatewayRedis } from '../redis.js';
import { FailOpenRedisStore } from './redis-store.js';

export const POLICY_NAME = 'per-consumer';

interface Limiter {
  name: string;
  policyHeader: string;
  limit: number;
  windowSeconds: number;
  middleware: RequestHandler;
  store: Store;
}

export interface RateLimits {
  middleware: RequestHandler;
  close(): Promise<void>;
}

function secondsUntil(reset: Date | undefined, windowSeconds: number): number {
  if (!reset) return windowSeconds;
  return Math.max(0, Math.ceil((reset.getTime() - Date.now()) / 1000));
}

function setRateLimitHeaders(res: Response, limiter: Limiter, info: RateLimitInfo): number {
  const t = secondsUntil(info.resetTime, limiter.windowSeconds);
  // Structured Field lists of one item: a string with integer parameters (RFC 8941 §4.1).
  res.setHeader('RateLimit-Policy', limiter.policyHeader);
  res.setHeader('RateLimit', `"${POLICY_NAME}";r=${info.remaining};t=${t}`);
  return t;
}

/** The limit key: the authenticated consumer, else the client address (trust proxy decides which). */
function limitKey(req: Request): string {
  if (req.auth) return `c:${req.auth.consumer}`;
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

export interface RateLimitDeps {
  config: GatewayConfig['rateLimit'];
  redis?: GatewayRedis;
  logger: Logger;
  metrics: HttpMetrics;
}

function buildLimiter(name: string, limit: number, windowSeconds: number, deps: RateLimitDeps): Limiter {
  const store: Store = deps.redis
    ? new FailOpenRedisStore(deps.redis, `${deps.config.redisPrefix}${name}:`, name, deps.logger, deps.metrics)
    : new MemoryStore();
  const limiter: Limiter = {
    name,
    policyHeader: `"${POLICY_NAME}";q=${limit};w=${windowSeconds}`,
    limit,
    windowSeconds,
    store,
    middleware: () => undefined,
  };
  const options: Partial<Options> = {
    windowMs: windowSeconds * 1000,
    limit,
    store,
    keyGenerator: limitKey,
    standardHeaders: false,
    legacyHeaders: false,
    passOnStoreError: true,
    requestPropertyName: 'rateLimit',
    // X-Forwarded-For is deliberately ignored unless TRUST_PROXY names the hop; the library's
    // warning about seeing the header would only fire for spoofed headers.
    validate: { xForwardedForHeader: false },
    logger: {
      error: (err: unknown, message?: string) => deps.logger.error({ err: String(err) }, message ?? 'rate limiter error'),
      warn: (err: unknown, message?: string) => deps.logger.warn({ err: String(err) }, message ?? 'rate limiter warning'),
    },
    handler: (req, res, next) => {
      const info = (req as Request & { rateLimit: RateLimitInfo }).rateLimit;
      const t = setRateLimitHeaders(res, limiter, info);
      next(
        new ProblemError('rate-limited', {
          detail: `The quota of ${limit} requests per ${windowSeconds} s is used up; retry after ${Math.max(t, 1)} s.`,
          headers: { 'Retry-After': String(Math.max(t, 1)), 'Cache-Control': 'no-store' },
        }),
      );
    },
  };
  const inner = rateLimit(options);
  limiter.middleware = (req, res, next) =>
    inner(req, res, (err?: unknown) => {
      const info = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit;
      if (!err && info) setRateLimitHeaders(res, limiter, info);
      next(err);
    });
  return limiter;
}

function tierName(tier: RateLimitTier): string {
  return `${tier.kind}-${tier.match.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export function createRateLimits(deps: RateLimitDeps): RateLimits {
  const fallback = buildLimiter('default', deps.config.limit, deps.config.windowSeconds, deps);
  const consumerTiers = new Map<string, Limiter>();
  const scopeTiers: Array<{ scope: string; limiter: Limiter }> = [];
  for (const tier of deps.config.tiers) {
    const limiter = buildLimiter(tierName(tier), tier.limit, tier.windowSeconds, deps);
    if (tier.kind === 'consumer') consumerTiers.set(tier.match, limiter);
    else scopeTiers.push({ scope: tier.match, limiter });
  }
  // With several matching scope tiers, the most generous rate wins: a tier grants capacity.
  scopeTiers.sort((a, b) => b.limiter.limit / b.limiter.windowSeconds - a.limiter.limit / a.limiter.windowSeconds);

  function limiterFor(req: Request): Limiter {
    const auth = req.auth;
    if (!auth) return fallback;
    const byConsumer = consumerTiers.get(auth.consumer);
    if (byConsumer) return byConsumer;
    for (const { scope, limiter } of scopeTiers) if (auth.scopes.has(scope)) return limiter;
    return fallback;
  }

  const all = [fallback, ...consumerTiers.values(), ...scopeTiers.map((s) => s.limiter)];
  return {
    middleware: (req, res, next) => limiterFor(req).middleware(req, res, next),
    async close() {
      for (const l of all) await l.store.shutdown?.();
    },
  };
}
