// Gateway settings: authentication, rate limits, proxies, metrics, limits.
import { z } from 'zod';
import { read, csv, httpUrl, nonNegativeInt, positiveInt, port, ConfigError, type Env } from './parse.js';
import type { RuntimeConfig } from './runtime.js';

export const ALLOWED_JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export interface GatewayConfig {
  auth: {
    /** Remote JWKS; unset outside production means the development key pair under var/. */
    jwksUrl?: string;
    issuer: string;
    audience: string;
    algorithms: string[];
    clockToleranceSeconds: number;
    jwksTimeoutMs: number;
    jwksCooldownMs: number;
    /** A fetched JWKS is refetched once older than this; a key removed from it stops working then at the latest. */
    jwksMaxAgeMs: number;
    /** Verified tokens kept (least recently used dropped first); 0 verifies every request afresh. */
    tokenCacheMaxEntries: number;
  };
  /**
   * Key of the HMAC that signs paging cursors (core/paging.ts); every replica must share it.
   * Unset outside production: a random key per process (cursors do not survive a restart).
   */
  cursorSigningKey?: string;
  /** Body size limit in bytes. */
  bodyLimitBytes: number;
  /** Express `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  redisUrl?: string;
  /** Timeout of each Redis command (rate limits, readiness); a slower Redis is treated as down. */
  redisCommandTimeoutMs: number;
  /** A separate port for /metrics without a token; unset = /metrics on the main port, ops scope required. */
  metricsPort?: number;
  corsOrigins: string[];
  rateLimit: {
    /** Default quota per consumer: requests per window. */
    limit: number;
    windowSeconds: number;
    /** Overrides: `consumer:<id>=limit/windowSeconds` or `scope:<scope>=limit/windowSeconds`, comma-separated. */
    tiers: RateLimitTier[];
    /** Key prefix in Redis; replicas that share a limit must share the prefix. */
    redisPrefix: string;
    /** Every request per client address, counted before authentication (failed logins included). */
    address: { limit: number; windowSeconds: number };
    /** Inbound webhooks per source platform and sending address, counted before the signature check. */
    webhooks: { limit: number; windowSeconds: number };
  };
  /** Rejected inbound webhooks kept for operators: at most this many per source, for this long. */
  webhookRejections: { maxPerSource: number; retentionHours: number };
  /** Time allowed to receive a whole request, and to drain connections on shutdown. */
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  /**
   * On SIGTERM, how long /readyz answers 503 while the port still serves, so a load balancer's
   * health check takes the replica out of rotation before it stops listening (0 = close at once).
   */
  shutdownDrainMs: number;
}

export interface RateLimitTier {
  kind: 'consumer' | 'scope';
  match: string;
  limit: number;
  windowSeconds: number;
}

function parseTiers(raw: string | undefined): RateLimitTier[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(consumer|scope):([^=\s]+)=(\d+)\/(\d+)$/.exec(entry);
      if (!m) {
        throw new ConfigError(
          'RATE_LIMIT_TIERS',
          `entry ${JSON.stringify(entry)} is not kind:match=limit/windowSeconds (e.g. scope:ops=1000/60)`,
        );
      }
      return { kind: m[1] as 'consumer' | 'scope', match: m[2], limit: Number(m[3]), windowSeconds: Number(m[4]) };
    });
}

function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (raw === 'true') {
    throw new ConfigError(
      'TRUST_PROXY',
      'must name the trusted hops (a hop count or addresses), not "true": trusting every hop lets clients spoof X-Forwarded-For',
    );
  }
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function gatewayConfig(env: Env, runtime: RuntimeConfig): GatewayConfig {
  const jwksUrl = read(env, 'AUTH_JWKS_URL', httpUrl.optional());
  if (!jwksUrl && runtime.nodeEnv === 'production') {
    throw new ConfigError(
      'AUTH_JWKS_URL',
      "is missing: production needs the identity provider's JWKS URL (the development signing key is refused in production)",
    );
  }
  const algorithms = read(env, 'AUTH_ALGORITHMS', csv.default(['RS256', 'ES256', 'EdDSA']));
  for (const alg of algorithms) {
    if (!(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError(
        'AUTH_ALGORITHMS',
        `names ${JSON.stringify(alg)}, which is not an asymmetric algorithm this gateway accepts (${ALLOWED_JWT_ALGORITHMS.join(', ')})`,
      );
    }
  }
  if (jwksUrl && !env.AUTH_ISSUER?.trim()) {
    throw new ConfigError(
      'AUTH_ISSUER',
      'is missing: with AUTH_JWKS_URL set, name the issuer whose tokens are accepted (the iss claim, e.g. https://login.example.com/)',
    );
  }
  const cursorSigningKey = read(env, 'CURSOR_SIGNING_KEY', z.string().min(32, 'must be at least 32 characters').optional());
  if (!cursorSigningKey && runtime.nodeEnv === 'production') {
    throw new ConfigError(
      'CURSOR_SIGNING_KEY',
      'is missing: production needs a shared secret of at least 32 characters to sign paging cursors (the same on every replica)',
    );
  }
  const metricsPort = read(env, 'METRICS_PORT', port.optional());
  const corsOrigins = read(env, 'CORS_ORIGINS', csv.default([]));
  for (const origin of corsOrigins) {
    // Exact origins only: a wildcard or a reflected origin would let any site call with a user's token.
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `names ${JSON.stringify(origin)}, which is not an exact origin like https://portal.example.com (no wildcards, paths or trailing slash)`,
      );
    }
  }
  return {
    auth: {
      jwksUrl,
      // With a real identity provider the issuer must be named (checked above): an empty one would skip the iss check.
      issuer: read(env, 'AUTH_ISSUER', z.string().default('urn:ps-layer:dev-issuer')),
      audience: read(env, 'AUTH_AUDIENCE', z.string().default('ps-connectivity-layer')),
      algorithms,
      clockToleranceSeconds: read(env, 'AUTH_CLOCK_TOLERANCE_S', nonNegativeInt.max(300).default(30)),
      jwksTimeoutMs: read(env, 'AUTH_JWKS_TIMEOUT_MS', positiveInt.default(2000)),
      jwksCooldownMs: read(env, 'AUTH_JWKS_COOLDOWN_MS', positiveInt.default(30_000)),
      // jose's own default: ten minutes.
      jwksMaxAgeMs: read(env, 'AUTH_JWKS_MAX_AGE_MS', positiveInt.default(600_000)),
      tokenCacheMaxEntries: read(env, 'AUTH_TOKEN_CACHE_MAX', nonNegativeInt.max(1_000_000).default(10_000)),
    },
    cursorSigningKey,
    bodyLimitBytes: read(env, 'BODY_LIMIT_BYTES', positiveInt.default(1_048_576)),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    redisUrl: read(
      env,
      'REDIS_URL',
      z
        .string()
        .regex(/^rediss?:\/\/.+$/, 'must start with redis:// or rediss://')
        .optional(),
    ),
    redisCommandTimeoutMs: read(env, 'REDIS_COMMAND_TIMEOUT_MS', positiveInt.default(500)),
    metricsPort,
    corsOrigins,
    rateLimit: {
      limit: read(env, 'RATE_LIMIT_LIMIT', positiveInt.default(600)),
      windowSeconds: read(env, 'RATE_LIMIT_WINDOW_S', positiveInt.default(60)),
      tiers: parseTiers(env.RATE_LIMIT_TIERS),
      redisPrefix: read(
        env,
        'RATE_LIMIT_REDIS_PREFIX',
        z
          .string()
          .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ . -')
          .default('ps-layer:rl:'),
      ),
      address: {
        limit: read(env, 'RATE_LIMIT_ADDRESS_LIMIT', positiveInt.default(1200)),
        windowSeconds: read(env, 'RATE_LIMIT_ADDRESS_WINDOW_S', positiveInt.default(60)),
      },
      webhooks: {
        limit: read(env, 'WEBHOOK_RATE_LIMIT', positiveInt.default(600)),
        windowSeconds: read(env, 'WEBHOOK_RATE_LIMIT_WINDOW_S', positiveInt.default(60)),
      },
    },
    webhookRejections: {
      maxPerSource: read(env, 'WEBHOOK_REJECTIONS_MAX', positiveInt.default(1000)),
      retentionHours: read(env, 'WEBHOOK_REJECTIONS_RETENTION_H', positiveInt.default(72)),
    },
    requestTimeoutMs: read(env, 'REQUEST_TIMEOUT_MS', positiveInt.default(30_000)),
    shutdownGraceMs: read(env, 'SHUTDOWN_GRACE_MS', positiveInt.default(10_000)),
    shutdownDrainMs: read(env, 'SHUTDOWN_DRAIN_MS', nonNegativeInt.max(300_000).default(0)),
  };
}
