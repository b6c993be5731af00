// Bearer-token verification (RFC 7519 with the RFC 8725 practices): an allow-list of
// asymmetric algorithms, iss/aud/exp required, a stated clock tolerance, keys by kid from
// ONE key set per process. jku/x5u headers are never followed: keys come only from the
// configured JWKS. Verified tokens are cached until they expire (at most a few minutes)
// so that a busy consumer pays for one signature check, not one per request.
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { GatewayConfig } from '../../core/config/gateway.js';
import type { AuthContext } from '../../core/http/context.js';
import { ProblemError } from '../../core/problems.js';
import type { HttpMetrics } from '../../core/observability/metrics.js';
import type { DevSigningKey } from './dev-keys.js';
import { invalidToken } from './errors.js';

export interface TokenVerifier {
  verify(token: string): Promise<AuthContext>;
}

const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_TTL_MS = 5 * 60_000;

/**
 * The process's one key set. A remote JWKS is fetched with a timeout, refetched at most
 * once per cooldown when an unknown kid shows up, and shared by every request.
 * The development key is used as a local key set rather than fetched from the gateway's
 * own /.well-known/jwks.json: a self-call would depend on the listening address (0.0.0.0,
 * a proxy's PUBLIC_URL) and on start-up order, while key selection by kid and algorithm is
 * the same jose code either way. The remote path is what the security tests exercise.
 */
export function createKeySet(auth: GatewayConfig['auth'], devKey?: DevSigningKey): JWTVerifyGetKey {
  if (auth.jwksUrl) {
    return createRemoteJWKSet(new URL(auth.jwksUrl), {
      timeoutDuration: auth.jwksTimeoutMs,
      cooldownDuration: auth.jwksCooldownMs,
    });
  }
  if (!devKey) throw new Error('No AUTH_JWKS_URL and no development key: cannot verify tokens');
  return createLocalJWKSet(devKey.jwks);
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function authContextFromClaims(payload: JWTPayload): AuthContext | undefined {
  const consumer = stringClaim(payload, 'client_id') ?? stringClaim(payload, 'azp') ?? payload.sub;
  if (!consumer) return undefined;
  const scopes = new Set<string>();
  const scope = payload.scope;
  if (typeof scope === 'string') for (const s of scope.split(' ')) if (s) scopes.add(s);
  // Some providers (Azure AD, Okta) send scopes as an `scp` array or string.
  const scp = payload.scp;
  if (Array.isArray(scp)) {
    for (const s of scp) if (typeof s === 'string' && s) scopes.add(s);
  } else if (typeof scp === 'string') {
    for (const s of scp.split(' ')) if (s) scopes.add(s);
  }
  return {
    consumer,
    subject: payload.sub,
    scopes,
    clientAccount: stringClaim(payload, 'client_account'),
    claims: payload as Record<string, unknown>,
  };
}

/** Maps a jose failure to the answer: a bad token is 401; a key set we could not read is 503. */
function toProblem(err: unknown, metrics?: HttpMetrics): ProblemError {
  if (err instanceof errors.JWKSTimeout) {
    metrics?.jwksErrors.inc({ reason: 'timeout' });
    return new ProblemError('service-unavailable', {
      detail: "The token could not be checked: the identity provider's key set did not answer in time.",
      headers: { 'Retry-After': '5' },
    });
  }
  if (err instanceof errors.JWTExpired) return invalidToken('the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) return invalidToken(`the "${err.claim}" claim is not accepted (${err.reason})`);
  if (err instanceof errors.JOSEAlgNotAllowed) return invalidToken('the signing algorithm is not allowed');
  if (err instanceof errors.JWKSNoMatchingKey) return invalidToken("no key in the key set matches the token's kid");
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalidToken('the signature does not verify');
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid || err instanceof errors.JOSENotSupported) {
    return invalidToken('the token is malformed or uses an unsupported feature');
  }
  if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKSMultipleMatchingKeys)
    return invalidToken('the key set cannot select one key for the token');
  if (err instanceof errors.JOSEError || err instanceof TypeError) {
    // A JWKS that answered non-200, unparseable JSON, or a network failure.
    metrics?.jwksErrors.inc({ reason: 'fetch' });
    return new ProblemError('service-unavailable', {
      detail: "The token could not be checked: the identity provider's key set is unavailable.",
      headers: { 'Retry-After': '5' },
    });
  }
  return invalidToken('the token could not be verified');
}

interface CachedAuth {
  auth: AuthContext;
  until: number;
}

export function createTokenVerifier(auth: GatewayConfig['auth'], keySet: JWTVerifyGetKey, metrics?: HttpMetrics): TokenVerifier {
  const cache = new Map<string, CachedAuth>();
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    algorithms: auth.algorithms,
    clockTolerance: auth.clockToleranceSeconds,
    requiredClaims: ['exp', 'iss', 'aud'],
  };
  return {
    async verify(token) {
      // Keyed by the whole token: any change to header, payload or signature is a miss and
      // is verified afresh. (The tokens are in this process's memory while served anyway.)
      const key = token;
      const hit = cache.get(key);
      const now = Date.now();
      if (hit) {
        if (hit.until > now) return hit.auth;
        cache.delete(key);
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, options));
      } catch (err) {
        throw toProblem(err, metrics);
      }
      const ctx = authContextFromClaims(payload);
      if (!ctx) throw invalidToken('the token names no consumer (client_id, azp or sub)');
      // exp is required above; cache no longer than the token lives, and briefly in any case.
      const until = Math.min((payload.exp ?? 0) * 1000, now + CACHE_MAX_TTL_MS);
      if (until > now) {
        if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
        cache.set(key, { auth: ctx, until });
      }
      return ctx;
    },
  };
}
