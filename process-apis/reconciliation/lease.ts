// One reconciliation pass at a time across replicas: a single lease row, claimed by a conditional
// update (free, or expired because its holder stopped heartbeating), renewed while the pass runs,
// and released when it ends. A pass left `running` by a holder that died is marked failed on takeover.
import type { DbExecutor } from '../../core/store/index.js';
import { nowMs } from '../../core/store/index.js';
import './schema.js';

const LEASE = 'pass';

export interface PassLease {
  holder: string;
  passId: string;
}

/**
 * Claims the lease for `passId`; undefined when another holder's lease is still valid. Returns the
 * pass the previous holder left behind when it took an expired lease over.
 */
export async function claimPassLease(
  db: DbExecutor,
  claim: PassLease,
  leaseMs: number,
  now = nowMs(),
): Promise<{ lease: PassLease; tookOverPassId: string | null } | undefined> {
  await db
    .insertInto('recon_lease')
    .values({ name: LEASE, holder: null, pass_id: null, expires_at_ms: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const before = await db
    .selectFrom('recon_lease')
    .select(['holder', 'pass_id', 'expires_at_ms'])
    .where('name', '=', LEASE)
    .executeTakeFirst();
  if (!before || (before.holder !== null && Number(before.expires_at_ms) > now)) return undefined;
  // Conditional on what was read: of two replicas racing for the same free lease, one updates a row.
  let update = db
    .updateTable('recon_lease')
    .set({ holder: claim.holder, pass_id: claim.passId, expires_at_ms: now + leaseMs })
    .where('name', '=', LEASE)
    .where('expires_at_ms', '=', Number(before.expires_at_ms));
  update = before.holder === null ? update.where('holder', 'is', null) : update.where('holder', '=', before.holder);
  const result = await update.executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return { lease: claim, tookOverPassId: before.holder !== null ? before.pass_id : null };
}

/** Extends the lease; false when it is no longer this holder's (it lapsed and another took it). */
export async function renewPassLease(db: DbExecutor, lease: PassLease, leaseMs: number, now = nowMs()): Promise<boolean> {
  const result = await db
    .updateTable('recon_lease')
    .set({ expires_at_ms: now + leaseMs })
    .where('name', '=', LEASE)
    .where('holder', '=', lease.holder)
    .where('pass_id', '=', lease.passId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releasePassLease(db: DbExecutor, lease: PassLease): Promise<void> {
  await db
    .updateTable('recon_lease')
    .set({ holder: null, pass_id: null, expires_at_ms: 0 })
    .where('name', '=', LEASE)
    .where('holder', '=', lease.holder)
    .where('pass_id', '=', lease.passId)
    .execute();
}

/** The pass running now on any replica, if its lease is valid. */
export async function currentPassId(db: DbExecutor, now = nowMs()): Promise<string | undefined> {
  const row = await db
    .selectFrom('recon_lease')
    .select(['holder', 'pass_id', 'expires_at_ms'])
    .where('name', '=', LEASE)
    .executeTakeFirst();
  return row && row.holder !== null && Number(row.expires_at_ms) > now ? (row.pass_id ?? undefined) : undefined;
}
