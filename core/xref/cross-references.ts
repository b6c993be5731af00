// The one cross-reference lookup every system API uses: canonical ids of one platform's
// records (found, adopted from a hint the layer wrote, or minted), native ids of canonical
// records (always checked against the entity type), and links.
import { isProblemError } from '../problems.js';
import { sql } from 'kysely';
import { nowMs, type DbExecutor } from '../store/index.js';
import { isCanonicalId, newId } from '../ids.js';
import { getOrCreateCanonical, link } from './xref.js';
import './schema.js';

/** How a platform's native ids are written in the xref table (text) and read back. */
export interface NativeIdCodec<N extends string | number> {
  encode(id: N): string;
  decode(text: string): N;
}

export const textIds: NativeIdCodec<string> = { encode: (id) => id, decode: (text) => text };
export const numericIds: NativeIdCodec<number> = { encode: (id) => String(id), decode: (text) => Number(text) };

export interface CrossReferencesOptions<N extends string | number> {
  platform: string;
  nativeIds: NativeIdCodec<N>;
  /**
   * Remember each canonical id this object resolved (create one object per call): a page of
   * records that name few people or projects then costs few lookups. Failed lookups are not remembered.
   */
  memo?: boolean;
}

export interface NativeRefWithHint<N> {
  nativeId: N;
  /** An id the layer wrote on the record (an external id), adopted when it is a canonical id. */
  adoptHint?: string | null;
}

/** Native ids per query: kept well under both engines' limits on bound parameters. */
const BATCH = 500;

/**
 * Links added in bulk by this process since the table's statistics were last refreshed. A table
 * that grows by tens of thousands of rows within one billing run outruns the database's own
 * statistics (PostgreSQL's autovacuum analyses later); with stale ones the planner reads the
 * whole entity's part of the index for every page's lookup (44 ms at 110,000 links instead of
 * 1.5 ms), so a large run slows as it goes. Refreshing after every few thousand keeps it linear.
 */
let linkedSinceAnalyze = 0;
const ANALYZE_AFTER_LINKS = 10_000;

async function noteBulkLinks(db: DbExecutor, added: number): Promise<void> {
  linkedSinceAnalyze += added;
  if (linkedSinceAnalyze < ANALYZE_AFTER_LINKS) return;
  linkedSinceAnalyze = 0; // one caller refreshes; the others go on
  await sql`analyze xref`.execute(db); // both engines; takes no lock that blocks reads or writes on PostgreSQL
}

export class CrossReferences<E extends string, N extends string | number = string> {
  private readonly memo?: Map<string, Promise<string>>;

  constructor(
    private readonly db: DbExecutor,
    private readonly options: CrossReferencesOptions<N>,
  ) {
    if (options.memo) this.memo = new Map();
  }

  get platform(): string {
    return this.options.platform;
  }

  /**
   * The canonical id of a platform record, linking it on first sight: an `adoptHint` that is
   * a canonical id is adopted (the layer created the record and stopped before linking it);
   * when that id is taken by another record (a copied external id), a fresh id is minted
   * instead of failing the read.
   */
  canonical(entity: E, nativeId: N, adoptHint?: string | null): Promise<string> {
    if (!this.memo) return this.resolve(entity, nativeId, adoptHint);
    const key = `${entity}:${this.options.nativeIds.encode(nativeId)}`;
    let id = this.memo.get(key);
    if (!id) {
      id = this.resolve(entity, nativeId, adoptHint);
      // A failed lookup is not remembered: the next call tries again.
      id.catch(() => this.memo?.delete(key));
      this.memo.set(key, id);
    }
    return id;
  }

  private async resolve(entity: E, nativeId: N, adoptHint?: string | null): Promise<string> {
    const native = this.options.nativeIds.encode(nativeId);
    const known = await this.existing(entity, nativeId);
    if (known) return known;
    if (adoptHint && isCanonicalId(adoptHint)) {
      try {
        await link(this.db, { canonicalId: adoptHint, entityType: entity, platform: this.platform, nativeId: native });
        return adoptHint;
      } catch (err) {
        if (!isProblemError(err) || err.type !== 'conflict') throw err;
      }
    }
    return (await getOrCreateCanonical(this.db, this.platform, entity, native)).canonicalId;
  }

  /**
   * Canonical ids for many records of one entity type, by encoded native id: the known links
   * in one query per few hundred records, records seen for the first time in multi-row inserts,
   * and only those with an id to adopt one by one.
   */
  async canonicalMany(entity: E, refs: Array<NativeRefWithHint<N>>): Promise<Map<string, string>> {
    const { encode } = this.options.nativeIds;
    // One lookup per record; when a record is named twice, the mention that carries a hint decides.
    const byNative = new Map<string, NativeRefWithHint<N>>();
    for (const ref of refs) {
      const known = byNative.get(encode(ref.nativeId));
      if (!known || (!known.adoptHint && ref.adoptHint)) byNative.set(encode(ref.nativeId), ref);
    }
    const unique = [...byNative.entries()];
    const out = await this.linkedOf(
      entity,
      unique.map(([native]) => native),
    );
    // Records seen for the first time with nothing to adopt get fresh ids in multi-row inserts; a
    // row another writer linked meanwhile is kept (the insert skips it) and read back.
    const fresh = unique.filter(([native, ref]) => !out.has(native) && !(ref.adoptHint && isCanonicalId(ref.adoptHint)));
    for (let i = 0; i < fresh.length; i += BATCH / 5) {
      const part = fresh.slice(i, i + BATCH / 5).map(([native]) => native);
      const createdAt = nowMs();
      await this.db
        .insertInto('xref')
        .values(
          part.map((native) => ({
            canonical_id: newId(),
            entity_type: entity,
            platform: this.platform,
            native_id: native,
            created_at: createdAt,
          })),
        )
        .onConflict((oc) => oc.columns(['platform', 'entity_type', 'native_id']).doNothing())
        .execute();
      await noteBulkLinks(this.db, part.length);
      const rows = await this.db
        .selectFrom('xref')
        .select(['native_id', 'canonical_id'])
        .where('platform', '=', this.platform)
        .where('entity_type', '=', entity)
        .where('native_id', 'in', part)
        .execute();
      for (const row of rows) out.set(row.native_id, row.canonical_id);
    }
    for (const [native, ref] of unique) if (!out.has(native)) out.set(native, await this.canonical(entity, ref.nativeId, ref.adoptHint));
    return out;
  }

  /** Canonical ids of the records ever linked, by encoded native id, in one query per few hundred; none are created. */
  existingMany(entity: E, nativeIds: readonly N[]): Promise<Map<string, string>> {
    return this.linkedOf(entity, [...new Set(nativeIds.map((id) => this.options.nativeIds.encode(id)))]);
  }

  private async linkedOf(entity: E, natives: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < natives.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('xref')
        .select(['native_id', 'canonical_id'])
        .where('platform', '=', this.platform)
        .where('entity_type', '=', entity)
        .where('native_id', 'in', natives.slice(i, i + BATCH))
        .execute();
      for (const row of rows) out.set(row.native_id, row.canonical_id);
    }
    return out;
  }

  /** The canonical id if the record was ever linked, without creating one. */
  async existing(entity: E, nativeId: N): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('xref')
      .select('canonical_id')
      .where('platform', '=', this.platform)
      .where('entity_type', '=', entity)
      .where('native_id', '=', this.options.nativeIds.encode(nativeId))
      .executeTakeFirst();
    return row?.canonical_id;
  }

  /**
   * Which of these canonical ids name a record of the entity type on this platform (one query per
   * few hundred).
   */
  async known(entity: E, canonicalIds: readonly string[]): Promise<Set<string>> {
    return new Set((await this.nativeMany(entity, canonicalIds)).keys());
  }

  /**
   * Native ids of many canonical records of the entity type, by canonical id, in one query per few
   * hundred; ids the platform never had (or that name another entity type) are left out. It
   * selects by canonical id alone so that the primary key serves it: with the platform and entity
   * type in the WHERE clause SQLite picks the (platform, entity_type, native_id) index and reads
   * every record of the type.
   */
  async nativeMany(entity: E, canonicalIds: readonly string[]): Promise<Map<string, N>> {
    const ids = [...new Set(canonicalIds)];
    const found = new Map<string, N>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await this.db
        .selectFrom('xref')
        .select(['canonical_id', 'platform', 'entity_type', 'native_id'])
        .where('canonical_id', 'in', ids.slice(i, i + BATCH))
        .execute();
      for (const r of rows) {
        if (r.platform === this.platform && r.entity_type === entity) found.set(r.canonical_id, this.options.nativeIds.decode(r.native_id));
      }
    }
    return found;
  }

  /** The native id of a canonical record of the given entity type, or undefined: an id of another type finds nothing. */
  async native(entity: E, canonicalId: string): Promise<N | undefined> {
    const row = await this.db
      .selectFrom('xref')
      .select('native_id')
      .where('canonical_id', '=', canonicalId)
      .where('platform', '=', this.platform)
      .where('entity_type', '=', entity)
      .executeTakeFirst();
    return row ? this.options.nativeIds.decode(row.native_id) : undefined;
  }

  /** Like native(), throwing what `problem` builds (a 404 for the addressed resource, a 422 for a reference in a body) when unknown. */
  async require(entity: E, canonicalId: string, problem: () => Error): Promise<N> {
    const native = await this.native(entity, canonicalId);
    if (native === undefined) throw problem();
    return native;
  }

  /** Links a canonical id to a platform record; pass the transaction when the link belongs to one. */
  link(entity: E, canonicalId: string, nativeId: N, db: DbExecutor = this.db): Promise<void> {
    return link(db, { canonicalId, entityType: entity, platform: this.platform, nativeId: this.options.nativeIds.encode(nativeId) });
  }
}
