// Rate limits, in three places of the pipeline: per client address before authentication
// (so that failed logins and floods of bad tokens are counted too), per source and address on
// inbound webhooks before their signature is checked, and per consumer after authentication,
// with tiers per consumer or scope. The consumer's key (consumerKey below) is the client account
// for a portal user, the user for any other person, and the client for a machine token, so that
// one client's users never exhaust each other's quota. Headers follow the IETF httpapi RateLimit
// fields draft -10:
//   RateLimit-Policy: "per-consumer";q=100;w=60     RateLimit: "per-consumer";r=42;t=17
// express-rate-limit's `draft-8` output adds spaces and a `pk` partition key (a hash of
// the consumer id) that clients do not need, so the fields are written here instead.
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, type ClientRateLimitInfo, type Options, type RateLimitInfo, type Store } from 'express-rate-limit';
import type { GatewayConfig, RateLimitTier } from '../../core/config/gateway.js';
import type { AuthContext } from '../../core/http/context.js';
import type { Logger } from '../../core/observability/logger.js';
import type { HttpMetrics } from '../../core/observability/metrics.js';
import { ProblemError } from '../../core/problems.js';
import type { GatewayRedis } from '../redis.js';
import { FailOpenRedisStore } from './redis-store.js';

export const POLICY_NAME = 'per-consumer';
export const ADDRESS_POLICY_NAME = 'per-address';
export const WEBHOOK_POLICY_NAME = 'per-source';

interface Limiter {
  name: string;
  policy: string;
  policyHeader: string;
  limit: number;
  windowSeconds: number;
  middleware: RequestHandler;
  store: Store;
}

export interface RateLimits {
  /** Per consumer, after authentication (per address on public routes). */
  middleware: RequestHandler;
  /** Per client address, before authentication: answers 429 only, leaves the headers to the consumer's limit. */
  address: RequestHandler;
  /** Per webhook source and sending address, before the signature is checked. */
  webhooks: RequestHandler;
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
  res.setHeader('RateLimit', `"${limiter.policy}";r=${info.remaining};t=${t}`);
  return t;
}

/**
 * Whose quota a token spends. A portal user's token names their client account: the account's
 * users share one quota, apart from every other account's. Any other person's token (its `sub`
 * differs from the client, RFC 9068 §2.2) spends that user's own quota. A machine token (`sub`
 * is the client, or absent) spends the client's.
 */
export function consumerKey(auth: AuthContext): string {
  if (auth.clientAccount) return `account:${auth.consumer}/${auth.clientAccount}`;
  if (auth.subject && auth.subject !== auth.consumer) return `user:${auth.consumer}/${auth.subject}`;
  return `client:${auth.consumer}`;
}

function addressKey(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/** The limit key: the authenticated consumer, else the client address (trust proxy decides which). */
function limitKey(req: Request): string {
  return req.auth ? consumerKey(req.auth) : addressKey(req);
}

/** A webhook's source is the first path segment under /webhooks. */
function webhookKey(req: Request): string {
  const source = /^\/([^/]{1,64})/.exec(req.path)?.[1] ?? '-';
  return `wh:${source}:${addressKey(req)}`;
}

export interface RateLimitDeps {
  config: GatewayConfig['rateLimit'];
  redis?: GatewayRedis;
  logger: Logger;
  metrics: HttpMetrics;
}

interface LimiterShape {
  policy: string;
  keyGenerator: (req: Request) => string;
  /** Whether an admitted request carries this limiter's RateLimit headers. */
  headersWhenAdmitted: boolean;
}

const CONSUMER: LimiterShape = { policy: POLICY_NAME, keyGenerator: limitKey, headersWhenAdmitted: true };

function buildLimiter(name: string, limit: number, windowSeconds: number, deps: RateLimitDeps, shape = CONSUMER): Limiter {
  const store: Store = deps.redis
    ? new FailOpenRedisStore(deps.redis, `${deps.config.redisPrefix}${name}:`, name, deps.logger, deps.metrics)
    : new MemoryStore();
  const limiter: Limiter = {
    name,
    policy: shape.policy,
    policyHeader: `"${shape.policy}";q=${limit};w=${windowSeconds}`,
    limit,
    windowSeconds,
    store,
    middleware: () => undefined,
  };
  // express-rate-limit's middleware awaited eight promises, ran its misconfiguration checks and
  // debug logging on every request; counting is one store call, so it is done here directly.
  void Promise.resolve(store.init?.({ windowMs: windowSeconds * 1000, limit } as Options)).catch((err: unknown) =>
    deps.logger.error({ err: String(err), limiter: name }, 'rate-limit store could not start'),
  );
  const refuse = (req: Request, res: Response, info: RateLimitInfo): ProblemError => {
    const t = setRateLimitHeaders(res, limiter, info);
    return new ProblemError('rate-limited', {
      detail: `The quota of ${limit} requests per ${windowSeconds} s is used up; retry after ${Math.max(t, 1)} s.`,
      headers: { 'Retry-After': String(Math.max(t, 1)), 'Cache-Control': 'no-store' },
    });
  };
  limiter.middleware = (req, res, next) => {
    const key = shape.keyGenerator(req);
    const counted = ({ totalHits, resetTime }: ClientRateLimitInfo) => {
      const info: RateLimitInfo = { limit, used: totalHits, remaining: Math.max(limit - totalHits, 0), resetTime, key };
      (req as Request & { rateLimit: RateLimitInfo }).rateLimit = info;
      if (totalHits > limit) return next(refuse(req, res, info));
      if (shape.headersWhenAdmitted) setRateLimitHeaders(res, limiter, info);
      next();
    };
    const failed = (err: unknown) => {
      // Fail open: a store that cannot count lets the request through (the Redis store has logged and counted it).
      deps.logger.error({ err: String(err), limiter: name }, 'rate-limit store error; request let through uncounted');
      next();
    };
    let result: ClientRateLimitInfo | Promise<ClientRateLimitInfo>;
    try {
      result = store.increment(key);
    } catch (err) {
      return failed(err);
    }
    if (result instanceof Promise) result.then(counted, failed);
    else counted(result);
  };
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

  const { address, webhooks } = deps.config;
  const byAddress = buildLimiter('address', address.limit, address.windowSeconds, deps, {
    policy: ADDRESS_POLICY_NAME,
    keyGenerator: addressKey,
    headersWhenAdmitted: false,
  });
  const bySource = buildLimiter('webhooks', webhooks.limit, webhooks.windowSeconds, deps, {
    policy: WEBHOOK_POLICY_NAME,
    keyGenerator: webhookKey,
    headersWhenAdmitted: true,
  });

  const all = [fallback, byAddress, bySource, ...consumerTiers.values(), ...scopeTiers.map((s) => s.limiter)];
  return {
    middleware: (req, res, next) => limiterFor(req).middleware(req, res, next),
    address: byAddress.middleware,
    webhooks: bySource.middleware,
    async close() {
      for (const l of all) await l.store.shutdown?.();
    },
  };
}
