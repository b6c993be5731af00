// The cache of verified tokens on its own: the clock edges (nbf, exp), key changes under a kept
// kid, tokens without a kid, and which entry the bound drops.
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../core/http/context.js';
import type { KeySnapshot } from './key-set.js';
import { createTokenCache, tokenDigest } from './token-cache.js';

const auth = (consumer: string): AuthContext => ({ consumer, scopes: new Set(['widgets:read']), claims: {} });
const keys = (version: number, entries: Record<string, string>): KeySnapshot => ({ version, keys: new Map(Object.entries(entries)) });
const NOW = 1_800_000_000_000;
const EXP = NOW / 1000 + 600;

describe('token cache', () => {
  it('keys entries by the SHA-256 of the token, not the token', () => {
    const digest = tokenDigest('header.payload.signature');
    expect(digest, 'a digest, not the token').not.toContain('payload');
    expect(digest, 'the same token gives the same key').toBe(tokenDigest('header.payload.signature'));
    expect(digest, 'another signature gives another key').not.toBe(tokenDigest('header.payload.signaturf'));
  });

  it('never serves an entry before nbf nor from exp on', () => {
    const cache = createTokenCache(10);
    const ks = keys(1, { k1: 'material' });
    cache.set('early', { auth: auth('a'), kid: 'k1', exp: EXP, nbf: NOW / 1000 + 10 }, ks, NOW);
    expect(cache.size, 'a token not yet valid (accepted within the clock tolerance) is not kept').toBe(0);
    cache.set('t', { auth: auth('a'), kid: 'k1', exp: EXP, nbf: NOW / 1000 - 10 }, ks, NOW);
    expect(cache.get('t', ks, NOW - 20_000), 'before its nbf').toBeUndefined();
    cache.set('t', { auth: auth('a'), kid: 'k1', exp: EXP, nbf: NOW / 1000 - 10 }, ks, NOW);
    expect(cache.get('t', ks, EXP * 1000 - 1)?.consumer, 'a millisecond before exp').toBe('a');
    expect(cache.get('t', ks, EXP * 1000), 'at exp').toBeUndefined();
    expect(cache.size, 'the expired entry is gone').toBe(0);
  });

  it('drops entries whose key left or changed at a refetch, and tokens without a kid at any refetch', () => {
    const cache = createTokenCache(10);
    const before = keys(1, { stays: 'A', leaves: 'B', changes: 'C' });
    for (const kid of ['stays', 'leaves', 'changes', undefined])
      cache.set(`t-${kid}`, { auth: auth(String(kid)), kid, exp: EXP }, before, NOW);
    expect(cache.size, 'all four kept').toBe(4);
    const after = keys(2, { stays: 'A', changes: 'C2' });
    expect(cache.get('t-stays', after, NOW)?.consumer, 'the key still published unchanged').toBe('stays');
    expect(cache.get('t-leaves', after, NOW), 'the withdrawn key').toBeUndefined();
    expect(cache.get('t-changes', after, NOW), 'new material under the same kid').toBeUndefined();
    expect(cache.get('t-undefined', after, NOW), 'a token without a kid').toBeUndefined();
    cache.set('late', { auth: auth('late'), kid: 'leaves', exp: EXP }, after, NOW);
    expect(cache.get('late', after, NOW), 'a token whose key is already gone is not kept').toBeUndefined();
  });

  it('drops the least recently used entry when full, and 0 keeps nothing', () => {
    const cache = createTokenCache(2);
    const ks = keys(1, { k: 'K' });
    cache.set('a', { auth: auth('a'), kid: 'k', exp: EXP }, ks, NOW);
    cache.set('b', { auth: auth('b'), kid: 'k', exp: EXP }, ks, NOW);
    expect(cache.get('a', ks, NOW)?.consumer, 'a used again, so b is now the oldest').toBe('a');
    cache.set('c', { auth: auth('c'), kid: 'k', exp: EXP }, ks, NOW);
    expect(cache.size, 'the bound').toBe(2);
    expect(cache.get('b', ks, NOW), 'the least recently used went').toBeUndefined();
    expect(cache.get('a', ks, NOW)?.consumer, 'the recently used stayed').toBe('a');
    const off = createTokenCache(0);
    off.set('a', { auth: auth('a'), kid: 'k', exp: EXP }, ks, NOW);
    expect(off.get('a', ks, NOW), 'caching turned off').toBeUndefined();
  });
});
