// The layer's record of billing decisions. An entry's allocation row is written, with the
// invoice it belongs to, before anything is posted to ERP: the primary key on source_id is
// what makes "every entry on at most one invoice" hold across retries, restarts and replicas.
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../../core/store/schema.js';
import type { InvoiceDraft } from './invoice-draft.js';
import type { BillingInvoiceState, TtbAllocationsTable, TtbInvoicesTable } from './schema.js';
import './schema.js';

type Db = Kysely<Database>;
const CHUNK = 500;

export interface Allocation {
  sourceId: string;
  sourceKind: TtbAllocationsTable['source_kind'];
  lineIndex: number;
  /** Whole minutes, rounded from `hundredths` (for display). */
  minutes: number;
  /** Time entries: the hours billed in hundredths; absent on rows recorded before hours were kept. */
  hundredths?: number;
}

export interface BillingInvoiceRow {
  key: string;
  engagementId: string;
  periodKey: string;
  sequence: number;
  runId: string;
  state: BillingInvoiceState;
  erpInvoiceId: string | null;
  draft: InvoiceDraft;
}

/** An invoice row as the journey reads it (the draft parsed). */
export function toRow(r: TtbInvoicesTable): BillingInvoiceRow {
  return {
    key: r.id,
    engagementId: r.engagement_id,
    periodKey: r.period_key,
    sequence: Number(r.sequence),
    runId: r.run_id,
    state: r.state,
    erpInvoiceId: r.erp_invoice_id,
    draft: JSON.parse(r.draft) as InvoiceDraft,
  };
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The invoice a run already decided on, if any (a resumed run reuses it instead of drafting again). */
export async function invoiceOfRun(db: Db, runId: string): Promise<BillingInvoiceRow | undefined> {
  const row = await db.selectFrom('ttb_invoices').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function invoiceByKey(db: Db, key: string): Promise<BillingInvoiceRow | undefined> {
  const row = await db.selectFrom('ttb_invoices').selectAll().where('id', '=', key).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** Of `sourceIds`, those some invoice already bills (or is about to). */
export async function allocatedAmong(db: Db, sourceIds: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const part of chunks(sourceIds)) {
    const rows = await db.selectFrom('ttb_allocations').select('source_id').where('source_id', 'in', part).execute();
    for (const r of rows) taken.add(r.source_id);
  }
  return taken;
}

/**
 * Records the invoice and every allocation in one transaction, with the next sequence number
 * for the engagement and period. A source already allocated elsewhere makes the whole write
 * fail (unique violation), so the caller drafts again without it.
 */
export async function recordInvoice(
  db: Db,
  input: { runId: string; draft: InvoiceDraft; allocations: readonly Allocation[] },
): Promise<BillingInvoiceRow> {
  const { draft } = input;
  return db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('ttb_invoices')
      .select((eb) => eb.fn.max('sequence').as('seq'))
      .where('engagement_id', '=', draft.engagementId)
      .where('period_key', '=', draft.period.key)
      .executeTakeFirst();
    const now = Date.now();
    const row: TtbInvoicesTable = {
      id: uuidv7(),
      engagement_id: draft.engagementId,
      period_key: draft.period.key,
      sequence: Number(last?.seq ?? 0) + 1,
      run_id: input.runId,
      state: 'allocated',
      erp_invoice_id: null,
      currency: draft.currency,
      subtotal_minor: draft.subtotal.amountMinor,
      tax_minor: draft.tax.amountMinor,
      total_minor: draft.total.amountMinor,
      draft: JSON.stringify(draft),
      created_at_ms: now,
      updated_at_ms: now,
    };
    await trx.insertInto('ttb_invoices').values(row).execute();
    for (const part of chunks(input.allocations)) {
      await trx
        .insertInto('ttb_allocations')
        .values(
          part.map((a) => ({
            source_id: a.sourceId,
            source_kind: a.sourceKind,
            invoice_key: row.id,
            line_index: a.lineIndex,
            minutes: a.minutes,
            hundredths: a.hundredths ?? null,
            marked: 0,
          })),
        )
        .execute();
    }
    return toRow(row);
  });
}

export async function setInvoiceState(db: Db, key: string, state: BillingInvoiceState, erpInvoiceId?: string): Promise<void> {
  await db
    .updateTable('ttb_invoices')
    .set({ state, updated_at_ms: Date.now(), ...(erpInvoiceId ? { erp_invoice_id: erpInvoiceId } : {}) })
    .where('id', '=', key)
    .execute();
}

/**
 * Records the invoice's figures as ERP holds them after posting (net, tax, total): ERP computes
 * them, so the layer keeps ERP's and not its own prediction, which stays in the draft.
 */
export async function recordErpFigures(
  db: Db,
  key: string,
  figures: { netMinor: number; taxMinor: number; totalMinor: number },
): Promise<void> {
  await db
    .updateTable('ttb_invoices')
    .set({ subtotal_minor: figures.netMinor, tax_minor: figures.taxMinor, total_minor: figures.totalMinor, updated_at_ms: Date.now() })
    .where('id', '=', key)
    .execute();
}

/** The figures the layer records for an invoice (ERP's once posted). */
export async function invoiceFigures(db: Db, key: string): Promise<{ netMinor: number; taxMinor: number; totalMinor: number } | undefined> {
  const r = await db
    .selectFrom('ttb_invoices')
    .select(['subtotal_minor', 'tax_minor', 'total_minor'])
    .where('id', '=', key)
    .executeTakeFirst();
  return r ? { netMinor: Number(r.subtotal_minor), taxMinor: Number(r.tax_minor), totalMinor: Number(r.total_minor) } : undefined;
}

export async function unmarkedAllocations(db: Db, invoiceKey: string): Promise<Allocation[]> {
  const rows = await db
    .selectFrom('ttb_allocations')
    .select(['source_id', 'source_kind', 'line_index', 'minutes', 'hundredths'])
    .where('invoice_key', '=', invoiceKey)
    .where('marked', '=', 0)
    .execute();
  return rows.map((r) => ({
    sourceId: r.source_id,
    sourceKind: r.source_kind,
    lineIndex: Number(r.line_index),
    minutes: Number(r.minutes),
    ...(r.hundredths === null ? {} : { hundredths: Number(r.hundredths) }),
  }));
}

export async function markAllocations(db: Db, sourceIds: readonly string[]): Promise<void> {
  for (const part of chunks(sourceIds)) {
    await db.updateTable('ttb_allocations').set({ marked: 1 }).where('source_id', 'in', part).execute();
  }
}

export async function allocationsOf(db: Db, invoiceKey: string): Promise<Allocation[]> {
  const rows = await db
    .selectFrom('ttb_allocations')
    .select(['source_id', 'source_kind', 'line_index', 'minutes', 'hundredths'])
    .where('invoice_key', '=', invoiceKey)
    .execute();
  return rows.map((r) => ({
    sourceId: r.source_id,
    sourceKind: r.source_kind,
    lineIndex: Number(r.line_index),
    minutes: Number(r.minutes),
    ...(r.hundredths === null ? {} : { hundredths: Number(r.hundredths) }),
  }));
}

// ---- billing holds ---------------------------------------------------------------------------

export interface HoldRecord {
  engagementId: string;
  since: string;
  reason?: string;
  waitingMinutes: number;
  waitingEntries: number;
  waitingAmount?: { amountMinor: number; currency: string };
}

export async function recordHold(db: Db, hold: Omit<HoldRecord, 'since'>): Promise<void> {
  const now = Date.now();
  const values = {
    reason: hold.reason ?? null,
    waiting_minutes: hold.waitingMinutes,
    waiting_entries: hold.waitingEntries,
    waiting_amount_minor: hold.waitingAmount?.amountMinor ?? null,
    currency: hold.waitingAmount?.currency ?? null,
    updated_at_ms: now,
  };
  await db
    .insertInto('ttb_holds')
    .values({ engagement_id: hold.engagementId, since_ms: now, ...values })
    .onConflict((oc) => oc.column('engagement_id').doUpdateSet(values))
    .execute();
}

export async function clearHold(db: Db, engagementId: string): Promise<void> {
  await db.deleteFrom('ttb_holds').where('engagement_id', '=', engagementId).execute();
}

export async function listHolds(
  db: Db,
  filter: { engagementId?: string; after?: string; limit: number },
): Promise<{ items: HoldRecord[]; next: string | null }> {
  let q = db
    .selectFrom('ttb_holds')
    .selectAll()
    .orderBy('engagement_id')
    .limit(filter.limit + 1);
  if (filter.engagementId) q = q.where('engagement_id', '=', filter.engagementId);
  if (filter.after) q = q.where('engagement_id', '>', filter.after);
  const rows = await q.execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((r) => ({
      engagementId: r.engagement_id,
      since: new Date(Number(r.since_ms)).toISOString(),
      ...(r.reason ? { reason: r.reason } : {}),
      waitingMinutes: Number(r.waiting_minutes),
      waitingEntries: Number(r.waiting_entries),
      ...(r.waiting_amount_minor !== null && r.currency
        ? { waitingAmount: { amountMinor: Number(r.waiting_amount_minor), currency: r.currency } }
        : {}),
    })),
    next: rows.length > filter.limit ? page[page.length - 1]!.engagement_id : null,
  };
}
