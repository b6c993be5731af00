// The ERP system API's own tables (migration 0160) and the cross-reference lookups it
// needs: canonical ids for NetSuite records, minted on first sight or adopted from the
// record's external id when the layer created it.
import { sql, type ColumnType } from 'kysely';
import { ProblemError } from '../../core/problems.js';
import { nowMs, withTransaction, type DbExecutor, type Store } from '../../core/store/index.js';
import { getOrCreateCanonical, isCanonicalId, link } from '../../core/xref/index.js';
import type { ErpEntity } from './mapping.js';

export interface ErpClientMatchKeysTable {
  match_key: string;
  canonical_id: string;
  created_at: ColumnType<number, number, never>;
}

declare module '../../core/store/schema.js' {
  interface Database {
    erp_client_match_keys: ErpClientMatchKeysTable;
  }
}

const PLATFORM = 'erp';

/** Canonical id of a NetSuite record; `hint` is its external id, adopted when it is a canonical id. */
export async function canonicalIdFor(db: DbExecutor, entity: ErpEntity, nativeId: string, hint?: string): Promise<string> {
  const found = await db
    .selectFrom('xref')
    .select('canonical_id')
    .where('platform', '=', PLATFORM)
    .where('entity_type', '=', entity)
    .where('native_id', '=', nativeId)
    .executeTakeFirst();
  if (found) return found.canonical_id;
  if (hint && isCanonicalId(hint)) {
    try {
      await link(db, { canonicalId: hint, entityType: entity, platform: PLATFORM, nativeId });
      return hint;
    } catch (err) {
      // The id is taken by another record (a copied external id): mint a fresh one instead.
      if (!(err instanceof ProblemError && err.type === 'conflict')) throw err;
    }
  }
  return (await getOrCreateCanonical(db, PLATFORM, entity, nativeId)).canonicalId;
}

/** Native id of a canonical record of the given kind, or undefined if the layer never linked it. */
export async function nativeIdFor(db: DbExecutor, entity: ErpEntity, canonicalId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('xref')
    .select('native_id')
    .where('platform', '=', PLATFORM)
    .where('entity_type', '=', entity)
    .where('canonical_id', '=', canonicalId)
    .executeTakeFirst();
  return row?.native_id;
}

export async function linkNative(db: DbExecutor, entity: ErpEntity, canonicalId: string, nativeId: string): Promise<void> {
  await link(db, { canonicalId, entityType: entity, platform: PLATFORM, nativeId });
}

/** The canonical ids the given match keys already belong to, by key. */
export async function matchKeyOwners(db: DbExecutor, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom('erp_client_match_keys').select(['match_key', 'canonical_id']).where('match_key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.match_key, r.canonical_id]));
}

/**
 * Decides, atomically, which canonical client a set of match keys belongs to. Every key of
 * one client carries its normalised name, so racers for the same client contend for one
 * lock on that name (a transaction-scoped advisory lock on PostgreSQL; SQLite's write lock,
 * taken up front, on SQLite). Under it, the owner of the first already-owned key, in the
 * keys' order, wins; with none owned, `candidate` does. The winner then gets every key
 * not yet owned. Racers with different key sets (one with a domain, one with a tax id)
 * agree too, because they contend for the same lock.
 */
export async function claimClientKeys(store: Store, normalisedName: string, keys: string[], candidate: string): Promise<string> {
  return withTransaction(store, async (trx) => {
    if (store.engine === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtextextended(${`erp-client:${normalisedName}`}, 0))`.execute(trx);
    const owners = await matchKeyOwners(trx, keys);
    const winner = keys.map((key) => owners.get(key)).find((id) => id !== undefined) ?? candidate;
    const unowned = keys.filter((key) => !owners.has(key));
    if (unowned.length > 0) {
      const createdAt = nowMs();
      await trx
        .insertInto('erp_client_match_keys')
        .values(unowned.map((match_key) => ({ match_key, canonical_id: winner, created_at: createdAt })))
        .onConflict((oc) => oc.column('match_key').doNothing())
        .execute();
    }
    return winner;
  });
}
