// Reads of the reconciliation results: exceptions by filter (oldest first, cursor-paged), one
// exception, the five business views, and the open figures the metrics are set from.
import { sql } from 'kysely';
import { cursorId, cursorKind, decodeOptionalCursor, encodeCursor, pageLimit, scopeOf, type Page } from '../../core/paging.js';
import { ProblemError } from '../../core/problems.js';
import { toIso, type DbExecutor } from '../../core/store/index.js';
import { RECONCILIATION_QUESTIONS, type ReconciliationQuestion } from '../kit/reconciliation.js';
import type { Journey } from '../kit/run-view.js';
import { exceptionView } from './exceptions.js';
import type { OpenFigures } from './metrics.js';
import type { ExceptionStatus } from './schema.js';
import { QUESTION_TEXT, type BusinessView, type ExceptionView, type OpenExceptionsByType } from './views.js';

export const EXCEPTION_CURSOR = cursorKind('reconciliation.exceptions', { after: cursorId });
/** Exceptions that concern a record now: still to be repaired, or being repaired. */
const CURRENT: ExceptionStatus[] = ['open', 'repairing'];

export interface ExceptionQuery {
  question?: ReconciliationQuestion;
  journey?: Journey;
  type?: string;
  /** Default `open`. */
  status?: ExceptionStatus;
  cursor?: string;
  limit?: unknown;
}

/** Oldest first (ids are UUIDv7, in the order the exceptions were opened). */
export async function listExceptions(db: DbExecutor, query: ExceptionQuery, now = Date.now()): Promise<Page<ExceptionView>> {
  const filters = { question: query.question, journey: query.journey, type: query.type, status: query.status ?? 'open' };
  const scope = scopeOf(filters);
  const at = decodeOptionalCursor(EXCEPTION_CURSOR, query.cursor, scope);
  const limit = pageLimit(query.limit);
  let select = db
    .selectFrom('recon_exceptions')
    .selectAll()
    .where('status', '=', filters.status)
    .orderBy('id', 'asc')
    .limit(limit + 1);
  if (filters.question) select = select.where('question', '=', filters.question);
  if (filters.journey) select = select.where('journey', '=', filters.journey);
  if (filters.type) select = select.where('type', '=', filters.type);
  if (at) select = select.where('id', '>', at.after);
  const rows = await select.execute();
  const items = rows.slice(0, limit).map((row) => exceptionView(row, now));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(EXCEPTION_CURSOR, { after: last.id }, scope) : null };
}

export async function exceptionRow(db: DbExecutor, id: string) {
  const row = await db.selectFrom('recon_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ProblemError('not-found', { detail: `No reconciliation exception ${id}.` });
  return row;
}

export async function getException(db: DbExecutor, id: string, now = Date.now()): Promise<ExceptionView> {
  return exceptionView(await exceptionRow(db, id), now);
}

export async function openFigures(db: DbExecutor): Promise<OpenFigures> {
  const open = await db
    .selectFrom('recon_exceptions')
    .select(['question', 'type', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', CURRENT)
    .groupBy(['question', 'type'])
    .execute();
  const money = await db
    .selectFrom('recon_exceptions')
    .select(['question', 'money_currency', (eb) => eb.fn.sum<number>('money_minor').as('amount')])
    .where('status', 'in', CURRENT)
    .where('money_currency', 'is not', null)
    .groupBy(['question', 'money_currency'])
    .execute();
  return {
    open: open.map((r) => ({ question: r.question, type: r.type, count: Number(r.count) })),
    money: money.map((r) => ({ question: r.question, currency: r.money_currency!, amountMinor: Number(r.amount) })),
  };
}

/** The five questions: records concerned now, money at risk per currency, the oldest's age, when last checked. */
export async function businessViews(db: DbExecutor, now = Date.now()): Promise<BusinessView[]> {
  const counts = await db
    .selectFrom('recon_exceptions')
    .select(['question', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min<number>('first_seen_ms').as('oldest')])
    .where('status', 'in', CURRENT)
    .groupBy('question')
    .execute();
  const { money } = await openFigures(db);
  // A question was last checked when the least recent of its checks last succeeded.
  const checked = await db
    .selectFrom('recon_check_results')
    .select(['question', sql<number | null>`min(coalesce(last_success_ms, 0))`.as('checked')])
    .groupBy('question')
    .execute();
  return RECONCILIATION_QUESTIONS.map((question) => {
    const count = counts.find((c) => c.question === question);
    const at = Number(checked.find((c) => c.question === question)?.checked ?? 0);
    return {
      question,
      ...QUESTION_TEXT[question],
      openExceptions: Number(count?.count ?? 0),
      moneyAtRisk: money
        .filter((m) => m.question === question)
        .map((m) => ({ amountMinor: m.amountMinor, currency: m.currency }))
        .sort((a, b) => (a.currency < b.currency ? -1 : 1)),
      oldestAgeSeconds: count ? Math.max(0, Math.floor((now - Number(count.oldest)) / 1000)) : null,
      lastCheckedAt: at > 0 ? toIso(at) : null,
    };
  });
}

/** Open (and repairing) exceptions by question and type, with their money at risk per currency. */
export async function openByType(db: DbExecutor): Promise<OpenExceptionsByType[]> {
  const rows = await db
    .selectFrom('recon_exceptions')
    .select([
      'question',
      'type',
      'money_currency',
      (eb) => eb.fn.countAll<number>().as('count'),
      (eb) => eb.fn.sum<number>('money_minor').as('amount'),
    ])
    .where('status', 'in', CURRENT)
    .groupBy(['question', 'type', 'money_currency'])
    .execute();
  const byType = new Map<string, OpenExceptionsByType>();
  for (const row of rows) {
    const key = `${row.question} ${row.type}`;
    const entry = byType.get(key) ?? { question: row.question as ReconciliationQuestion, type: row.type, count: 0, moneyAtRisk: [] };
    entry.count += Number(row.count);
    if (row.money_currency) entry.moneyAtRisk.push({ amountMinor: Number(row.amount), currency: row.money_currency });
    byType.set(key, entry);
  }
  const order = (q: string) => RECONCILIATION_QUESTIONS.indexOf(q as ReconciliationQuestion);
  return [...byType.values()].sort((a, b) => order(a.question) - order(b.question) || (a.type < b.type ? -1 : 1));
}
