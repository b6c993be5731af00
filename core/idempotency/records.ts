// The idempotency_keys table as a small state machine. A key is claimed atomically by a
// unique insert; it is then either completed with the response to replay, or released
// (deleted) so the client may retry. An in-flight claim whose lock ran out (its owner
// crashed or hung) and any record past its retention may be taken over by compare-and-set.
import { Kysely } from 'kysely';
import { fromJson, toJson, type DbExecutor, type Store } from '../store/index.js';
import { newId } from '../ids.js';
import './schema.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ClaimOutcome =
  | { kind: 'owner'; owner: string; takenOver: boolean }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-flight'; lockedUntil: number };

export interface ClaimRequest {
  consumer: string;
  key: string;
  fingerprint: string;
  now: number;
  lockMs: number;
  retentionMs: number;
}

/** Another request took the row in between: retry the claim a few times before giving up. */
const CLAIM_ATTEMPTS = 5;

export async function claimKey(db: DbExecutor, req: ClaimRequest): Promise<ClaimOutcome> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const owner = newId();
    const fresh = {
      fingerprint: req.fingerprint,
      state: 'in_flight' as const,
      owner,
      locked_until: req.now + req.lockMs,
      response_status: null,
      response_headers: null,
      response_body: null,
      created_at: req.now,
      expires_at: req.now + req.retentionMs,
    };
    const inserted = await db
      .insertInto('idempotency_keys')
      .values({ consumer: req.consumer, idempotency_key: req.key, ...fresh })
      .onConflict((oc) => oc.columns(['consumer', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { kind: 'owner', owner, takenOver: false };

    const row = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('consumer', '=', req.consumer)
      .where('idempotency_key', '=', req.key)
      .executeTakeFirst();
    if (!row) continue; // released between our insert and select: try the insert again

    const expired = Number(row.expires_at) <= req.now;
    const lockLapsed = row.state === 'in_flight' && Number(row.locked_until) <= req.now;
    if (!expired) {
      if (row.fingerprint !== req.fingerprint) return { kind: 'mismatch' };
      if (row.state === 'completed') return { kind: 'replay', response: toStoredResponse(row) };
      if (!lockLapsed) return { kind: 'in-flight', lockedUntil: Number(row.locked_until) };
    }
    // Past retention the key is new again; an in-flight lock that lapsed belongs to a dead
    // owner. Either way take the row over, but only if nobody else changed it meanwhile.
    const taken = await db
      .updateTable('idempotency_keys')
      .set(fresh)
      .where('consumer', '=', req.consumer)
      .where('idempotency_key', '=', req.key)
      .where('owner', '=', row.owner)
      .where('state', '=', row.state)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return { kind: 'owner', owner, takenOver: true };
  }
  throw new Error(`idempotency: could not claim key for consumer ${req.consumer} after ${CLAIM_ATTEMPTS} attempts`);
}

function toStoredResponse(row: {
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
}): StoredResponse {
  return {
    status: Number(row.response_status),
    headers: fromJson<Record<string, string>>(row.response_headers) ?? {},
    body: Buffer.from(row.response_body ?? '', 'base64'),
  };
}

export interface OwnedKey {
  consumer: string;
  key: string;
  owner: string;
}

/** Stores the response to replay; false when the claim was lost to a takeover meanwhile. */
export async function completeKey(db: DbExecutor, owned: OwnedKey, response: StoredResponse): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({
      state: 'completed',
      response_status: response.status,
      response_headers: toJson(response.headers),
      response_body: response.body.toString('base64'),
    })
    .where('consumer', '=', owned.consumer)
    .where('idempotency_key', '=', owned.key)
    .where('owner', '=', owned.owner)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Forgets an in-flight claim (outcome not stored), so the next request with the key runs afresh. */
export async function releaseKey(db: DbExecutor, owned: OwnedKey): Promise<boolean> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('consumer', '=', owned.consumer)
    .where('idempotency_key', '=', owned.key)
    .where('owner', '=', owned.owner)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/**
 * Deletes records past their retention (IDEMPOTENCY_RETENTION_HOURS). An in-flight record
 * is kept while its lock holds, so a slow request never loses its claim to the purge.
 * Returns how many were deleted.
 */
export async function purgeExpiredIdempotencyKeys(store: Store | DbExecutor, now: number = Date.now()): Promise<number> {
  const db = store instanceof Kysely ? store : store.db;
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', now)
    .where((eb) => eb.or([eb('state', '=', 'completed'), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
