// The ERP system API's own table (migration 0160): the match keys (tax id, domain, name)
// that decide which canonical client a NetSuite customer is, claimed atomically.
import { sql, type ColumnType } from 'kysely';
import { nowMs, withTransaction, type DbExecutor, type Store } from '../../core/store/index.js';

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
