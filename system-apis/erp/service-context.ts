// What every ERP system API operation shares: reference data (currencies, subsidiaries)
// cached from NetSuite, id translation through the xref store, keyset paging over SuiteQL,
// and bounded-concurrency record fetches.
import { z } from 'zod';
import { ProblemError } from '../../core/problems.js';
import type { Logger } from '../../core/observability/logger.js';
import type { Store } from '../../core/store/index.js';
import { cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type CursorKind } from '../../core/paging.js';
import type { ErpConnector } from './connector.js';
import type { ErpEntity, ToCanonicalContext, ToVendorContext } from './mapping.js';
import { erpIds, type ErpIds } from './ids.js';
import type { NsRecordType } from './vendor-types.js';

export interface ErpSystemApiDeps {
  connector: ErpConnector;
  store: Store;
  logger: Logger;
  /** How long currencies and subsidiaries are cached (default 5 minutes). */
  referenceTtlMs?: number;
  /**
   * The NetSuite account (`ERP_ACCOUNT_ID`), whose UI host record links open when the REST base is
   * not NetSuite's own host (a proxy, a sandbox); without it such links open on the REST base.
   */
  accountId?: string;
}

export interface PageRequest {
  cursor?: string;
  limit?: number;
}

const FETCH_CONCURRENCY = 8;
const NATIVE_ID = /^\d{1,18}$/;

/** Each collection's cursor: the last native id of the page (keyset paging), bound to its filters. */
const afterNative = { after: z.string().regex(NATIVE_ID) };
export const ERP_CURSORS = {
  'legal-entities': cursorKind('erp.legal-entities', afterNative),
  'rate-cards': cursorKind('erp.rate-cards', afterNative),
  clients: cursorKind('erp.clients', afterNative),
  projects: cursorKind('erp.projects', afterNative),
  invoices: cursorKind('erp.invoices', afterNative),
  payments: cursorKind('erp.payments', afterNative),
  milestones: cursorKind('erp.milestones', afterNative),
} as const;

/** Where a page starts, decoded before anything else is looked up: a bad cursor costs no platform call. */
export interface KeysetPage {
  kind: CursorKind<{ after: string }>;
  scope: string;
  after: string;
  limit: number;
}

/** The cursor of the page that follows the record `lastId`. */
export function keysetCursor(at: KeysetPage, lastId: string): string {
  return encodeCursor(at.kind, { after: lastId }, at.scope);
}

interface ReferenceData {
  currencyCodes: Map<string, string>;
  currencyIds: Map<string, string>;
  subsidiaries: Map<string, { country: string; currencyId: string }>;
  loadedAt: number;
}

export interface IdRef {
  entity: ErpEntity;
  nativeId: string;
  /** The record's external id, adopted as its canonical id when it is one. */
  hint?: string;
}

export class ErpContext {
  private reference?: Promise<ReferenceData>;
  /** Cross-references of NetSuite records (core/xref). */
  readonly ids: ErpIds;

  constructor(readonly deps: ErpSystemApiDeps) {
    this.ids = erpIds(deps.store.db);
  }

  get connector(): ErpConnector {
    return this.deps.connector;
  }

  get db() {
    return this.deps.store.db;
  }

  /** Currencies and subsidiaries, cached; `refresh` reloads them (an id the cache does not know). */
  async referenceData(refresh = false): Promise<ReferenceData> {
    const ttl = this.deps.referenceTtlMs ?? 300_000;
    if (this.reference && !refresh) {
      const cached = await this.reference.catch(() => undefined);
      if (cached && Date.now() - cached.loadedAt < ttl) return cached;
    }
    this.reference = this.loadReferenceData();
    return this.reference;
  }

  private async loadReferenceData(): Promise<ReferenceData> {
    const [currencies, subsidiaries] = await Promise.all([
      this.connector.queryAll<{ id: string; symbol: string }>('SELECT id, symbol FROM currency'),
      this.connector.queryAll<{ id: string; country: string; currency: string }>('SELECT id, country, currency FROM subsidiary'),
    ]);
    return {
      currencyCodes: new Map(currencies.map((c) => [c.id, c.symbol.toUpperCase()])),
      currencyIds: new Map(currencies.map((c) => [c.symbol.toUpperCase(), c.id])),
      subsidiaries: new Map(subsidiaries.map((s) => [s.id, { country: s.country.toUpperCase(), currencyId: s.currency }])),
      loadedAt: Date.now(),
    };
  }

  /** Reference data that knows every given currency id (reloaded once if one is new). */
  private async referenceFor(currencyIds: string[], subsidiaryIds: string[] = []): Promise<ReferenceData> {
    let data = await this.referenceData();
    const knows = (d: ReferenceData) =>
      currencyIds.every((id) => d.currencyCodes.has(id)) && subsidiaryIds.every((id) => d.subsidiaries.has(id));
    if (!knows(data)) data = await this.referenceData(true);
    return data;
  }

  async subsidiary(nativeId: string): Promise<{ country: string; currencyCode: string }> {
    const data = await this.referenceFor([], [nativeId]);
    const sub = data.subsidiaries.get(nativeId);
    if (!sub)
      throw new ProblemError('upstream-error', { detail: `ERP subsidiary ${nativeId} is not known.`, extensions: { platform: 'erp' } });
    return { country: sub.country, currencyCode: this.codeOf(data, sub.currencyId) };
  }

  private codeOf(data: ReferenceData, currencyId: string): string {
    const code = data.currencyCodes.get(currencyId);
    if (!code)
      throw new ProblemError('upstream-error', { detail: `ERP currency ${currencyId} is not known.`, extensions: { platform: 'erp' } });
    return code;
  }

  /**
   * Resolves every id a mapping will ask for, then answers synchronously. Known links are
   * read in one query per entity type; only records seen for the first time get a new id.
   */
  async toCanonical(refs: IdRef[], currencyIds: string[]): Promise<ToCanonicalContext> {
    const data = await this.referenceFor(currencyIds);
    const ids = new Map<string, string>();
    const byEntity = new Map<ErpEntity, IdRef[]>();
    for (const ref of refs) {
      if (!byEntity.has(ref.entity)) byEntity.set(ref.entity, []);
      byEntity.get(ref.entity)!.push(ref);
    }
    for (const [entity, ofEntity] of byEntity) {
      const canonical = await this.ids.canonicalMany(
        entity,
        ofEntity.map((r) => ({ nativeId: r.nativeId, adoptHint: r.hint })),
      );
      for (const [nativeId, canonicalId] of canonical) ids.set(`${entity}|${nativeId}`, canonicalId);
    }
    return {
      currencyCode: (id) => this.codeOf(data, id),
      canonicalId: (entity, nativeId) => {
        const id = ids.get(`${entity}|${nativeId}`);
        if (!id) throw new Error(`ERP mapping asked for an unresolved ${entity} ${nativeId}`);
        return id;
      },
    };
  }

  /** Maps a page of records with one id resolution for the whole page. */
  async mapPage<T, R>(
    records: T[],
    refsOf: (r: T) => IdRef[],
    currencyOf: (r: T) => string,
    map: (r: T, ctx: ToCanonicalContext) => R | Promise<R>,
  ): Promise<R[]> {
    const ctx = await this.toCanonical(records.flatMap(refsOf), [...new Set(records.map(currencyOf))]);
    const out: R[] = [];
    for (const record of records) out.push(await map(record, ctx));
    return out;
  }

  /** Canonical → vendor context for the given canonical ids (already checked to exist). */
  async toVendor(natives: Array<[ErpEntity, string, string]>): Promise<ToVendorContext> {
    const data = await this.referenceData();
    const ids = new Map(natives.map(([entity, canonical, native]) => [`${entity}|${canonical}`, native]));
    return {
      nsCurrencyId: (code) => {
        const id = data.currencyIds.get(code);
        if (!id) {
          throw new ProblemError('unprocessable-content', {
            detail: `The ERP account has no currency ${code}.`,
            errors: [{ pointer: '/currency', detail: `unknown in ERP: ${code}` }],
          });
        }
        return id;
      },
      nativeId: (entity, canonical) => {
        const id = ids.get(`${entity}|${canonical}`);
        if (!id) throw new Error(`ERP mapping asked for an unresolved ${entity} ${canonical}`);
        return id;
      },
    };
  }

  /**
   * Native id of a canonical record. Unknown: 404 when it is the addressed resource,
   * 422 naming `pointer` when it is a reference in the request body.
   */
  async nativeOf(entity: ErpEntity, canonicalId: string, pointer?: string): Promise<string> {
    const native = await this.ids.native(entity, canonicalId);
    if (native !== undefined) return native;
    if (pointer) {
      throw new ProblemError('unprocessable-content', {
        detail: `No ${entity} ${canonicalId} in ERP.`,
        errors: [{ pointer, detail: `unknown ${entity}` }],
      });
    }
    throw new ProblemError('not-found', { detail: `No ${entity} ${canonicalId}.` });
  }

  /** Decodes and checks the page a list operation asks for (cursor, limit, and the filters it is bound to). */
  pageAt(collection: keyof typeof ERP_CURSORS, page: PageRequest): KeysetPage {
    const { cursor, limit, ...filters } = page;
    const kind = ERP_CURSORS[collection];
    const scope = scopeOf(filters);
    const size = pageLimit(limit);
    return { kind, scope, after: decodeOptionalCursor(kind, cursor, scope)?.after ?? '0', limit: size };
  }

  /** One page of native ids by keyset (`id > after`), with extra SuiteQL conditions. */
  async pageOfIds(table: string, conditions: string[], at: KeysetPage): Promise<{ ids: string[]; nextCursor: string | null }> {
    const where = [`id > ${at.after}`, ...conditions].join(' AND ');
    const result = await this.connector.query<{ id: string }>(`SELECT id FROM ${table} WHERE ${where} ORDER BY id`, {
      limit: at.limit,
      offset: 0,
    });
    const ids = result.items.map((row) => String(row.id)).filter((id) => NATIVE_ID.test(id));
    const last = ids[ids.length - 1];
    return { ids, nextCursor: result.hasMore && last ? keysetCursor(at, last) : null };
  }

  /** Records by internal id, a few at a time; ids that vanished in between are skipped. */
  async fetchRecords<T>(type: NsRecordType, ids: string[]): Promise<T[]> {
    const out: Array<T | undefined> = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        out[i] = await this.connector.getRecord<T>(type, ids[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, ids.length) }, worker));
    return out.filter((r): r is T => r !== undefined);
  }

  /** A record that must exist (the xref says so); gone in ERP → 404. */
  async mustFetch<T>(type: NsRecordType, nativeId: string): Promise<T> {
    const record = await this.connector.getRecord<T>(type, nativeId);
    if (!record) throw new ProblemError('not-found', { detail: `The ERP ${type} ${nativeId} no longer exists.` });
    return record;
  }
}

/** A SuiteQL string literal: quotes doubled. Callers pass only validated values. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlNativeId(value: string): string {
  if (!NATIVE_ID.test(value))
    throw new ProblemError('upstream-error', { detail: 'An ERP internal id is not numeric.', extensions: { platform: 'erp' } });
  return value;
}
