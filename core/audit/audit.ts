// The audit trail: every state change records who (the consumer application and, when a
// person acted through it, that person's subject), what (action), on which
// target, when, and under which correlation id. recordAudit takes a db OR a transaction,
// so the entry commits or rolls back with the change it describes.
import { Kysely } from 'kysely';
import { ProblemError } from '../problems.js';
import { fromJson, nowMs, toIso, toJson, type DbExecutor, type Store } from '../store/index.js';
import { newId } from '../xref/ids.js';
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

export interface AuditPage {
  items: AuditRecord[];
  /** Present when there may be more: pass it back as `cursor`. */
  nextCursor?: string;
}

export const AUDIT_MAX_PAGE = 200;

function encodeCursor(lastId: string, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify({ after: lastId, order })).toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown; order?: unknown };
    if (typeof parsed.after === 'string' && parsed.order === order) return parsed.after;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError('bad-request', {
    detail: 'The cursor is not one this query returned.',
    errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
  });
}

/** Pages through the trail, filtered by target and/or correlation id; a bad cursor or limit is a 400. */
export async function queryAudit(store: Store | DbExecutor, query: AuditQuery = {}): Promise<AuditPage> {
  const db = store instanceof Kysely ? store : store.db;
  const order = query.order ?? 'desc';
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_PAGE) {
    throw new ProblemError('bad-request', {
      detail: `limit must be an integer from 1 to ${AUDIT_MAX_PAGE}.`,
      errors: [{ pointer: '/limit', detail: `must be 1–${AUDIT_MAX_PAGE}` }],
    });
  }
  let q = db.selectFrom('audit_log').selectAll();
  if (query.targetType !== undefined) q = q.where('target_type', '=', query.targetType);
  if (query.targetId !== undefined) q = q.where('target_id', '=', query.targetId);
  if (query.correlationId !== undefined) q = q.where('correlation_id', '=', query.correlationId);
  if (query.consumer !== undefined) q = q.where('consumer', '=', query.consumer);
  if (query.cursor !== undefined) q = q.where('id', order === 'desc' ? '<' : '>', decodeCursor(query.cursor, order));
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
  return rows.length > limit ? { items, nextCursor: encodeCursor(page[page.length - 1].id, order) } : { items };
}
