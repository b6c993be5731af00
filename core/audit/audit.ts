// The audit trail: every state change records who (the consumer application and, when a
// person acted through it, that person's subject), what (action), on which
// target, when, and under which correlation id. recordAudit takes a db OR a transaction,
// so the entry commits or rolls back with the change it describes.
import { Kysely } from 'kysely';
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type Page } from '../paging.js';
import { fromJson, nowMs, toIso, toJson, type DbExecutor, type Store } from '../store/index.js';
import { newId } from '../ids.js';
import './schema.js';

export interface AuditEntry {
  /** The authenticated consumer, or a system actor such as `system:dispatcher`. */
  consumer: string;
  /** The person who acted through the consumer (the token's `sub`), when that is not the consumer itself. */
  subject?: string;
  /** Verb-first, dotted by area, e.g. `engagement.created`, `workflow.run.cancelled`. */
  action: string;
  targetType: string;
  targetId: string;
  correlationId?: string;
  /** What changed; JSON-serialisable, never secrets or tokens. */
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'correlationId' | 'details' | 'subject'>> {
  id: string;
  subject: string | null;
  /** RFC 3339 UTC. */
  at: string;
  correlationId: string | null;
  details: Record<string, unknown> | null;
}

export async function recordAudit(db: DbExecutor, entry: AuditEntry): Promise<AuditRecord> {
  for (const field of ['consumer', 'action', 'targetType', 'targetId'] as const) {
    if (!entry[field]) throw new Error(`recordAudit: ${field} is required`);
  }
  const id = newId();
  const at = nowMs();
  await db
    .insertInto('audit_log')
    .values({
      id,
      at,
      consumer: entry.consumer,
      subject: entry.subject ?? null,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      correlation_id: entry.correlationId ?? null,
      details: entry.details === undefined ? null : toJson(entry.details),
    })
    .execute();
  return {
    id,
    at: toIso(at),
    consumer: entry.consumer,
    subject: entry.subject ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    correlationId: entry.correlationId ?? null,
    details: entry.details ?? null,
  };
}

export interface AuditQuery {
  targetType?: string;
  targetId?: string;
  correlationId?: string;
  consumer?: string;
  /** Page size, 1–200 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
}

/** Newest or oldest first, bound to the filters and the order: a cursor of one query is refused by another. */
export const AUDIT_CURSOR = cursorKind('audit.entries', { after: cursorId });

/** Pages through the trail, filtered by target and/or correlation id; a bad cursor or limit is a 400. */
export async function queryAudit(store: Store | DbExecutor, query: AuditQuery = {}): Promise<Page<AuditRecord>> {
  const db = store instanceof Kysely ? store : store.db;
  const { cursor, limit: asked, order = 'desc', ...filters } = query;
  const limit = pageLimit(asked);
  const scope = scopeOf({ ...filters, order });
  const after = decodeOptionalCursor(AUDIT_CURSOR, cursor, scope)?.after;
  let q = db.selectFrom('audit_log').selectAll();
  if (query.targetType !== undefined) q = q.where('target_type', '=', query.targetType);
  if (query.targetId !== undefined) q = q.where('target_id', '=', query.targetId);
  if (query.correlationId !== undefined) q = q.where('correlation_id', '=', query.correlationId);
  if (query.consumer !== undefined) q = q.where('consumer', '=', query.consumer);
  if (after !== undefined) q = q.where('id', order === 'desc' ? '<' : '>', after);
  // One row more than asked tells whether another page exists.
  const rows = await q
    .orderBy('id', order)
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const items = page.map((r): AuditRecord => ({
    id: r.id,
    at: toIso(Number(r.at)),
    consumer: r.consumer,
    subject: r.subject,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    correlationId: r.correlation_id,
    details: fromJson<Record<string, unknown>>(r.details),
  }));
  return { items, nextCursor: rows.length > limit ? encodeCursor(AUDIT_CURSOR, { after: page[page.length - 1].id }, scope) : null };
}
