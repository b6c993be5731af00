// Verified bearer tokens, so that a busy consumer pays for one signature check rather than one
// per request (as Envoy's JWT filter does with jwt_cache_config). Keyed by the SHA-256 of the
// compact token: any change to header, payload or signature is a miss that is verified afresh,
// and the tokens themselves are not kept as keys. Bounded (least recently used goes first); an
// entry is never used before its nbf nor from its exp on, and is dropped once its signing key
// leaves the key set or changes.
import { hash } from 'node:crypto';
import type { AuthContext } from '../../core/http/context.js';
import type { TokenCacheMetrics } from '../../core/observability/metrics.js';
import type { KeySnapshot } from './key-set.js';

interface Entry {
  auth: AuthContext;
  /** The token's kid and the key material it named when verified; no kid, no material. */
  kid?: string;
  keyMaterial?: string;
  notBeforeMs: number;
  expiresMs: number;
}

export interface VerifiedToken {
  auth: AuthContext;
  kid?: string;
  /** Claims in seconds since the epoch, as in the token. */
  exp: number;
  nbf?: number;
}

export interface TokenCache {
  /** The verified identity for this token, if cached and usable at `nowMs` under `keys`. */
  get(digest: string, keys: KeySnapshot, nowMs: number): AuthContext | undefined;
  /** Keeps a token verified under `keys` (only one whose key is in `keys` and that is valid now). */
  set(digest: string, token: VerifiedToken, keys: KeySnapshot, nowMs: number): void;
  readonly size: number;
}

export function tokenDigest(token: string): string {
  // The one-shot hash (Node 20.12+) costs half of createHash().update().digest() for a token's few hundred bytes.
  return hash('sha256', token, 'base64');
}

/** `maxEntries` 0 turns caching off: every request verifies its token. */
export function createTokenCache(maxEntries: number, metrics?: TokenCacheMetrics): TokenCache {
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<string, Entry>();
  let keysVersion: number | undefined;

  const evict = (digest: string, reason: 'expired' | 'key-removed' | 'capacity') => {
    entries.delete(digest);
    metrics?.evictions.inc({ reason });
    metrics?.size.set(entries.size);
  };

  /** After a refetch of the key set: drop what was verified with a key that is gone or changed. */
  const followKeys = (keys: KeySnapshot) => {
    if (keys.version === keysVersion) return;
    keysVersion = keys.version;
    for (const [digest, entry] of entries) {
      // A token without a kid was verified by whichever key jose selected: it cannot be told apart, so it goes.
      if (entry.kid === undefined || keys.keys.get(entry.kid) !== entry.keyMaterial) evict(digest, 'key-removed');
    }
  };

  return {
    get(digest, keys, nowMs) {
      if (maxEntries === 0) return undefined;
      followKeys(keys);
      const entry = entries.get(digest);
      if (!entry) {
        metrics?.misses.inc();
        return undefined;
      }
      if (nowMs >= entry.expiresMs || nowMs < entry.notBeforeMs) {
        evict(digest, 'expired');
        metrics?.misses.inc();
        return undefined;
      }
      entries.delete(digest);
      entries.set(digest, entry);
      metrics?.hits.inc();
      return entry.auth;
    },
    set(digest, token, keys, nowMs) {
      if (maxEntries === 0) return;
      followKeys(keys);
      const keyMaterial = token.kid === undefined ? undefined : keys.keys.get(token.kid);
      if (token.kid !== undefined && keyMaterial === undefined) return; // its key already left the set
      const notBeforeMs = (token.nbf ?? 0) * 1000;
      const expiresMs = token.exp * 1000;
      if (nowMs >= expiresMs || nowMs < notBeforeMs) return; // accepted only thanks to the clock tolerance
      if (!entries.has(digest) && entries.size >= maxEntries) evict(entries.keys().next().value as string, 'capacity');
      entries.set(digest, { auth: token.auth, kid: token.kid, keyMaterial, notBeforeMs, expiresMs });
      metrics?.size.set(entries.size);
    },
    get size() {
      return entries.size;
    },
  };
}
