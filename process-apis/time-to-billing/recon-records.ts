// What time-to-billing's reconciliation checks read from the layer: the billing ledger's invoices
// and allocations in bulk, and the records a finding names, with their native ids and links.
import type { Kysely } from 'kysely';
import { minorToDecimalString, type Money } from '../../core/money.js';
import type { Database } from '../../core/store/schema.js';
import type { BillingPeriod } from '../kit/billing-model.js';
import type { Finding } from '../kit/reconciliation.js';
import { recordRefs, type RecordLinkSources, type RecordSpec } from '../kit/platform-records.js';

export type { RecordSpec } from '../kit/platform-records.js';
import { toRow, type BillingInvoiceRow } from './billing-store.js';
import type { InvoiceDraft } from './invoice-draft.js';
import type { BillingInvoiceState } from './schema.js';
import './schema.js';

type Db = Kysely<Database>;

/** An invoice as the layer recorded it, with ERP's figures once posted. */
export interface LedgerInvoice extends BillingInvoiceRow {
  currency: string;
  netMinor: number;
  taxMinor: number;
  totalMinor: number;
  updatedAt: Date;
}

/** One time entry's allocation, with the invoice and line that bill it. */
export interface LedgerEntry {
  invoiceKey: string;
  lineIndex: number;
  /** Hundredths of an hour billed (null on rows recorded before hours were kept: see `minutes`). */
  hundredths: number | null;
  minutes: number;
}

const PAGE = 2_000;

/** Every invoice the layer recorded, in key order (read in pages, so a long history stays bounded per query). */
export async function ledgerInvoices(db: Db, states?: readonly BillingInvoiceState[]): Promise<LedgerInvoice[]> {
  const out: LedgerInvoice[] = [];
  let after = '';
  for (;;) {
    let q = db.selectFrom('ttb_invoices').selectAll().where('id', '>', after).orderBy('id').limit(PAGE);
    if (states) q = q.where('state', 'in', [...states]);
    const rows = await q.execute();
    for (const r of rows) {
      out.push({
        ...toRow(r),
        currency: r.currency,
        netMinor: Number(r.subtotal_minor),
        taxMinor: Number(r.tax_minor),
        totalMinor: Number(r.total_minor),
        updatedAt: new Date(Number(r.updated_at_ms)),
      });
    }
    if (rows.length < PAGE) return out;
    after = rows[rows.length - 1]!.id;
  }
}

/** The layer's invoice that ERP knows by this id, if any. */
export async function ledgerInvoiceOfErp(db: Db, erpInvoiceId: string): Promise<Pick<LedgerInvoice, 'key' | 'runId'> | undefined> {
  const row = await db.selectFrom('ttb_invoices').select(['id', 'run_id']).where('erp_invoice_id', '=', erpInvoiceId).executeTakeFirst();
  return row ? { key: row.id, runId: row.run_id } : undefined;
}

/** Every time entry the ledger allocated to an invoice, by entry id. */
export async function ledgerEntries(db: Db): Promise<Map<string, LedgerEntry>> {
  const out = new Map<string, LedgerEntry>();
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('ttb_allocations')
      .select(['source_id', 'invoice_key', 'line_index', 'hundredths', 'minutes'])
      .where('source_kind', '=', 'time-entry')
      .where('source_id', '>', after)
      .orderBy('source_id')
      .limit(PAGE * 10)
      .execute();
    for (const r of rows) {
      out.set(r.source_id, {
        invoiceKey: r.invoice_key,
        lineIndex: Number(r.line_index),
        hundredths: r.hundredths === null ? null : Number(r.hundredths),
        minutes: Number(r.minutes),
      });
    }
    if (rows.length < PAGE * 10) return out;
    after = rows[rows.length - 1]!.source_id;
  }
}

/** A finding whose records are still canonical ids: resolved for many findings at once by `withRecords`. */
export interface PendingFinding {
  finding: Omit<Finding, 'records'>;
  records: RecordSpec[];
}

/** The findings with their records resolved, one bulk call per platform and record type rather than one per finding. */
export async function withRecords(sources: RecordLinkSources, pending: readonly PendingFinding[]): Promise<Finding[]> {
  const refs = await recordRefs(
    sources,
    pending.flatMap((p) => p.records),
  );
  let at = 0;
  return pending.map((p) => {
    const records = refs.slice(at, at + p.records.length);
    at += p.records.length;
    return { ...p.finding, records };
  });
}

/** The last period the layer billed for one engagement, if any. */
export async function lastBilledPeriodOf(db: Db, engagementId: string): Promise<BillingPeriod | undefined> {
  const rows = await db.selectFrom('ttb_invoices').select('draft').where('engagement_id', '=', engagementId).execute();
  return lastBilledPeriods(rows.map((r) => ({ engagementId, draft: JSON.parse(r.draft) as InvoiceDraft }))).get(engagementId);
}

/** The last period the layer billed for each engagement: its run billed every approved entry worked up to its end. */
export function lastBilledPeriods(invoices: ReadonlyArray<Pick<LedgerInvoice, 'engagementId' | 'draft'>>): Map<string, BillingPeriod> {
  const last = new Map<string, BillingPeriod>();
  for (const invoice of invoices) {
    const period = invoice.draft.period;
    const known = last.get(invoice.engagementId);
    if (!known || period.end > known.end) last.set(invoice.engagementId, period);
  }
  return last;
}

/** An amount in words for a finding's detail: `52.80 EUR`. */
export function amountText(amountMinor: number, currency: string): string {
  return `${minorToDecimalString(amountMinor, currency)} ${currency}`;
}

/** Money for a finding: null when there is none to speak of. */
export function atRisk(amountMinor: number, currency: string): Money | null {
  return amountMinor === 0 ? null : { amountMinor: Math.abs(amountMinor), currency };
}
