// The process's one key set for bearer tokens, and what the token cache needs to know of it:
// which keys it holds now, refetched no later than its maximum age even when every token is
// served from the cache (jose only refetches when asked for a key, which a cache hit never does).
import { createLocalJWKSet, createRemoteJWKSet, jwksCache, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { GatewayConfig } from '../../core/config/gateway.js';
import type { DevSigningKey } from './dev-keys.js';

/** The keys as last fetched: `version` changes with every fetch, `keys` maps a kid to its key material. */
export interface KeySnapshot {
  version: number;
  keys: ReadonlyMap<string, string>;
}

export interface KeySet {
  getKey: JWTVerifyGetKey;
  /**
   * The current keys. When the set is older than its maximum age it is refetched first (a
   * failed refetch rejects, as jose's own lookup would); otherwise this answers synchronously.
   */
  current(): KeySnapshot | Promise<KeySnapshot>;
}

/** kid → the serialised JWKs published under it: a key whose material changes under the same kid counts as replaced. */
function keysByKid(jwks: JSONWebKeySet | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const jwk of jwks?.keys ?? []) {
    if (typeof jwk.kid !== 'string') continue;
    keys.set(jwk.kid, (keys.get(jwk.kid) ?? '') + JSON.stringify(jwk));
  }
  return keys;
}

/**
 * A remote JWKS is fetched with a timeout, refetched at most once per cooldown when an
 * unknown kid shows up, and refetched when older than AUTH_JWKS_MAX_AGE_MS.
 * The development key is used as a local key set rather than fetched from the gateway's
 * own /.well-known/jwks.json: a self-call would depend on the listening address (0.0.0.0,
 * a proxy's PUBLIC_URL) and on start-up order, while key selection by kid and algorithm is
 * the same jose code either way. The remote path is what the security tests exercise.
 */
export function createKeySet(auth: GatewayConfig['auth'], devKey?: DevSigningKey): KeySet {
  if (!auth.jwksUrl) {
    if (!devKey) throw new Error('No AUTH_JWKS_URL and no development key: cannot verify tokens');
    const fixed: KeySnapshot = { version: 0, keys: keysByKid(devKey.jwks) };
    return { getKey: createLocalJWKSet(devKey.jwks), current: () => fixed };
  }
  // jose writes every successful fetch into this object (its documented way to export the
  // cache); reading it here tells every fetch apart, including those jose makes on its own
  // for an unknown kid.
  const fetched: { uat?: number; jwks?: JSONWebKeySet } = {};
  const remote = createRemoteJWKSet(new URL(auth.jwksUrl), {
    timeoutDuration: auth.jwksTimeoutMs,
    cooldownDuration: auth.jwksCooldownMs,
    cacheMaxAge: auth.jwksMaxAgeMs,
    [jwksCache]: fetched as Record<string, never>,
  });
  let snapshot: KeySnapshot = { version: 0, keys: new Map() };
  let seenAt: number | undefined;
  const read = (): KeySnapshot => {
    if (fetched.uat !== seenAt) {
      seenAt = fetched.uat;
      snapshot = { version: snapshot.version + 1, keys: keysByKid(fetched.jwks) };
    }
    return snapshot;
  };
  return {
    getKey: remote,
    current: () => (remote.fresh ? read() : remote.reload().then(read)),
  };
}
