// Bearer-token verification (RFC 7519 with the RFC 8725 practices): an allow-list of
// asymmetric algorithms, iss/aud/exp required, a stated clock tolerance, keys by kid from
// ONE key set per process. jku/x5u headers are never followed: keys come only from the
// configured JWKS. Verified tokens are cached (token-cache.ts) until they expire or their key goes.
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { GatewayConfig } from '../../core/config/gateway.js';
import type { AuthContext } from '../../core/http/context.js';
import { ProblemError } from '../../core/problems.js';
import type { HttpMetrics } from '../../core/observability/metrics.js';
import { invalidToken } from './errors.js';
import type { KeySet, KeySnapshot } from './key-set.js';
import { createTokenCache, tokenDigest } from './token-cache.js';

export interface TokenVerifier {
  /** Synchronous for a token found in the cache while the key set is fresh: most requests skip the promise machinery. */
  verify(token: string): AuthContext | Promise<AuthContext>;
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

export function createTokenVerifier(auth: GatewayConfig['auth'], keySet: KeySet, metrics?: HttpMetrics): TokenVerifier {
  const cache = createTokenCache(auth.tokenCacheMaxEntries, metrics?.tokenCache);
  const options = {
    issuer: auth.issuer,
    audience: auth.audience,
    algorithms: auth.algorithms,
    clockTolerance: auth.clockToleranceSeconds,
    requiredClaims: ['exp', 'iss', 'aud'],
  };
  const verifyInFull = async (token: string, digest: string): Promise<AuthContext> => {
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      const verified = await jwtVerify(token, keySet.getKey, options);
      payload = verified.payload;
      kid = verified.protectedHeader.kid;
    } catch (err) {
      throw toProblem(err, metrics);
    }
    const ctx = authContextFromClaims(payload);
    if (!ctx) throw invalidToken('the token names no consumer (client_id, azp or sub)');
    // jose may have refetched the keys for this token's kid: cache against the keys as they are now.
    cache.set(digest, { auth: ctx, kid, exp: payload.exp ?? 0, nbf: payload.nbf }, await currentKeys(), Date.now());
    return ctx;
  };
  const lookUp = (token: string, keys: KeySnapshot): AuthContext | Promise<AuthContext> => {
    const digest = tokenDigest(token);
    return cache.get(digest, keys, Date.now()) ?? verifyInFull(token, digest);
  };
  const currentKeys = async (): Promise<KeySnapshot> => {
    try {
      return await keySet.current();
    } catch (err) {
      throw toProblem(err, metrics);
    }
  };
  return {
    verify(token) {
      // The key set is brought up to date first, so that a key removed from it stops its
      // cached tokens no later than the refetch that sees it gone.
      const keys = keySet.current();
      if (!(keys instanceof Promise)) return lookUp(token, keys);
      return keys.then(
        (fetched) => lookUp(token, fetched),
        (err: unknown) => {
          throw toProblem(err, metrics);
        },
      );
    },
  };
}
