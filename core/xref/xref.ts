// Cross-references between canonical ids and platforms' native ids: how a record is
// created once and found again. Every function takes a db or a transaction, so a link
// commits together with the state change it belongs to.
import { ProblemError } from '../problems.js';
import { nowMs, type DbExecutor } from '../store/index.js';
import { newId } from '../ids.js';
import './schema.js';

export interface XrefLink {
  canonicalId: string;
  entityType: string;
  platform: string;
  nativeId: string;
}

export interface NativeRef {
  platform: string;
  nativeId: string;
}

/** Canonical id of a platform's record, or undefined when it was never linked. */
export async function findCanonical(db: DbExecutor, platform: string, entityType: string, nativeId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('xref')
    .select('canonical_id')
    .where('platform', '=', platform)
    .where('entity_type', '=', entityType)
    .where('native_id', '=', nativeId)
    .executeTakeFirst();
  return row?.canonical_id;
}

/** Native id of a canonical record on one platform, or undefined when it has none there yet. */
export async function findNative(db: DbExecutor, canonicalId: string, platform: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('xref')
    .select('native_id')
    .where('canonical_id', '=', canonicalId)
    .where('platform', '=', platform)
    .executeTakeFirst();
  return row?.native_id;
}

/** Every platform's native id for one canonical record. */
export async function findAllNative(db: DbExecutor, canonicalId: string): Promise<NativeRef[]> {
  const rows = await db
    .selectFrom('xref')
    .select(['platform', 'native_id'])
    .where('canonical_id', '=', canonicalId)
    .orderBy('platform')
    .execute();
  return rows.map((r) => ({ platform: r.platform, nativeId: r.native_id }));
}

async function entityTypeOf(db: DbExecutor, canonicalId: string): Promise<string | undefined> {
  const row = await db.selectFrom('xref').select('entity_type').where('canonical_id', '=', canonicalId).limit(1).executeTakeFirst();
  return row?.entity_type;
}

/**
 * Records that `canonicalId` is `nativeId` on `platform`. Linking the same pair again is a
 * no-op; a link that contradicts an existing one (the native record already belongs to
 * another canonical id, the canonical id already has another native id on that platform,
 * or the entity type differs) is a 409 conflict and changes nothing.
 */
export async function link(db: DbExecutor, ref: XrefLink): Promise<void> {
  const knownType = await entityTypeOf(db, ref.canonicalId);
  if (knownType !== undefined && knownType !== ref.entityType) {
    throw new ProblemError('conflict', {
      detail: `Canonical id ${ref.canonicalId} is a ${knownType}, not a ${ref.entityType}.`,
    });
  }
  await db
    .insertInto('xref')
    .values({
      canonical_id: ref.canonicalId,
      entity_type: ref.entityType,
      platform: ref.platform,
      native_id: ref.nativeId,
      created_at: nowMs(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  // Whether this call inserted or a concurrent one did, what counts is what is stored now.
  const [canonical, native] = await Promise.all([
    findCanonical(db, ref.platform, ref.entityType, ref.nativeId),
    findNative(db, ref.canonicalId, ref.platform),
  ]);
  if (canonical !== ref.canonicalId) {
    throw new ProblemError('conflict', {
      detail: `${ref.platform} ${ref.entityType} ${ref.nativeId} is already linked to canonical id ${canonical}.`,
    });
  }
  if (native !== ref.nativeId) {
    throw new ProblemError('conflict', {
      detail: `Canonical id ${ref.canonicalId} is already linked to ${ref.platform} id ${native}.`,
    });
  }
}

export interface GetOrCreateResult {
  canonicalId: string;
  /** True when this call minted the canonical id; false when the record was already known. */
  created: boolean;
}

/**
 * The canonical id of a platform's record, minting and linking a new one on first sight.
 * Race-safe on both engines: concurrent callers all try the insert, the unique constraint
 * on (platform, entity type, native id) lets exactly one win, and everyone re-reads the winner.
 */
export async function getOrCreateCanonical(
  db: DbExecutor,
  platform: string,
  entityType: string,
  nativeId: string,
): Promise<GetOrCreateResult> {
  const existing = await findCanonical(db, platform, entityType, nativeId);
  if (existing) return { canonicalId: existing, created: false };
  const candidate = newId();
  const inserted = await db
    .insertInto('xref')
    .values({ canonical_id: candidate, entity_type: entityType, platform, native_id: nativeId, created_at: nowMs() })
    .onConflict((oc) => oc.columns(['platform', 'entity_type', 'native_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { canonicalId: candidate, created: true };
  const winner = await findCanonical(db, platform, entityType, nativeId);
  if (!winner) throw new Error(`xref: no canonical id for ${platform} ${entityType} ${nativeId} after a conflicting insert`);
  return { canonicalId: winner, created: false };
}
