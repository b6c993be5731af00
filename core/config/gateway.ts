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
  };
  /** Body size limit in bytes. */
  bodyLimitBytes: number;
  /** Express `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
  trustProxy: boolean | number | string[];
  redisUrl?: string;
  /** A separate port for /metrics without a token; unset = /metrics on the main port, ops scope required. */
  metricsPort?: number;
  corsOrigins: string[];
  rateLimit: {
    /** Default quota per consumer: requests per window. */
    limit: number;
    windowSeconds: number;
    /** Overrides: `consumer:<id>=limit/windowSeconds` or `scope:<scope>=limit/windowSeconds`, comma-separated. */
    tiers: RateLimitTier[];
  };
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
        throw new ConfigError('RATE_LIMIT_TIERS', `entry ${JSON.stringify(entry)} is not kind:match=limit/windowSeconds (e.g. scope:ops=1000/60)`);
      }
      return { kind: m[1] as 'consumer' | 'scope', match: m[2], limit: Number(m[3]), windowSeconds: Number(m[4]) };
    });
}

function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (raw === 'true') {
    throw new ConfigError('TRUST_PROXY', 'must name the trusted hops (a hop count or addresses), not "true": trusting every hop lets clients spoof X-Forwarded-For');
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
    throw new ConfigError('AUTH_JWKS_URL', 'is missing: production needs the identity provider\'s JWKS URL (the development signing key is refused in production)');
  }
  const algorithms = read(env, 'AUTH_ALGORITHMS', csv.default(['RS256', 'ES256', 'EdDSA']));
  for (const alg of algorithms) {
    if (!(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError('AUTH_ALGORITHMS', `names ${JSON.stringify(alg)}, which is not an asymmetric algorithm this gateway accepts (${ALLOWED_JWT_ALGORITHMS.join(', ')})`);
    }
  }
  const metricsPort = read(env, 'METRICS_PORT', port.optional());
  return {
    auth: {
      jwksUrl,
      issuer: read(env, 'AUTH_ISSUER', z.string().default(jwksUrl ? '' : 'urn:ps-layer:dev-issuer')).toString(),
      audience: read(env, 'AUTH_AUDIENCE', z.string().default('ps-connectivity-layer')),
      algorithms,
      clockToleranceSeconds: read(env, 'AUTH_CLOCK_TOLERANCE_S', nonNegativeInt.max(300).default(30)),
      jwksTimeoutMs: read(env, 'AUTH_JWKS_TIMEOUT_MS', positiveInt.default(2000)),
      jwksCooldownMs: read(env, 'AUTH_JWKS_COOLDOWN_MS', positiveInt.default(30_000)),
    },
    bodyLimitBytes: read(env, 'BODY_LIMIT_BYTES', positiveInt.default(1_048_576)),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    redisUrl: read(env, 'REDIS_URL', z.string().regex(/^rediss?:\/\/.+$/, 'must start with redis:// or rediss://').optional()),
    metricsPort,
    corsOrigins: read(env, 'CORS_ORIGINS', csv.default([])),
    rateLimit: {
      limit: read(env, 'RATE_LIMIT_LIMIT', positiveInt.default(600)),
      windowSeconds: read(env, 'RATE_LIMIT_WINDOW_S', positiveInt.default(60)),
      tiers: parseTiers(env.RATE_LIMIT_TIERS),
    },
  };
}
