// What time-to-billing's reconciliation checks read from the layer: the billing ledger's invoices
// and allocations in bulk, and the records a finding names, with their native ids and links.
import type { Kysely } from 'kysely';
import { minorToDecimalString, type Money } from '../../core/money.js';
import type { Database } from '../../core/store/schema.js';
import type { BillingPeriod } from '../kit/billing-model.js';
import type { Finding, RecordRef } from '../kit/reconciliation.js';
import { toRow, type BillingInvoiceRow } from './billing-store.js';
import type { InvoiceDraft } from './invoice-draft.js';
import type { BillingInvoiceState } from './schema.js';
import './schema.js';

type Db = Kysely<Database>;

/** Where the platforms' own screens are, for links in findings. */
export interface BillingRecordLinks {
  /** NetSuite's account id (`ERP_ACCOUNT_ID`, e.g. `TSTDRV100001` or `1234567_SB1`). */
  erpAccountId?: string;
}

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

/** A record a finding names, by canonical id; its native id and link are filled in by `recordRefs`. */
export interface RecordSpec {
  platform: 'erp' | 'time';
  entity: 'invoice' | 'time-entry' | 'project';
  canonicalId: string;
  label?: string;
}

/** NetSuite's account host: the account id in lower case, `_` as `-` (`1234567_SB1` → `1234567-sb1`). */
function netsuiteHost(accountId: string): string {
  return `https://${accountId.toLowerCase().replace(/_/g, '-')}.app.netsuite.com`;
}

function urlOf(spec: RecordSpec, nativeId: string | undefined, links: BillingRecordLinks): string | null {
  if (!nativeId || spec.platform !== 'erp' || !links.erpAccountId) return null;
  const host = netsuiteHost(links.erpAccountId);
  if (spec.entity === 'invoice') return `${host}/app/accounting/transactions/custinvc.nl?id=${encodeURIComponent(nativeId)}`;
  if (spec.entity === 'project') return `${host}/app/common/entity/custjob.nl?id=${encodeURIComponent(nativeId)}`;
  // Harvest has no page per time entry (a person's day or week holds it), so time entries carry no link.
  return null;
}

/** The records as findings name them: the platform's own id (from the cross-references) and a link where the platform has a page. */
export async function recordRefs(db: Db, specs: readonly RecordSpec[], links: BillingRecordLinks): Promise<RecordRef[]> {
  const ids = [...new Set(specs.map((s) => s.canonicalId))];
  const natives = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('xref')
      .select(['canonical_id', 'platform', 'native_id'])
      .where('canonical_id', 'in', ids.slice(i, i + 500))
      .where('platform', 'in', ['erp', 'time'])
      .execute();
    for (const r of rows) natives.set(`${r.platform}:${r.canonical_id}`, r.native_id);
  }
  return specs.map((spec) => {
    const nativeId = natives.get(`${spec.platform}:${spec.canonicalId}`);
    return {
      platform: spec.platform,
      entity: spec.entity,
      id: nativeId ?? spec.canonicalId,
      canonicalId: spec.canonicalId,
      label: spec.label ?? null,
      url: urlOf(spec, nativeId, links),
    };
  });
}

/** A finding whose records are still canonical ids: resolved for many findings at once by `withRecords`. */
export interface PendingFinding {
  finding: Omit<Finding, 'records'>;
  records: RecordSpec[];
}

/** The findings with their records resolved, in one cross-reference read per 500 ids rather than one per finding. */
export async function withRecords(db: Db, pending: readonly PendingFinding[], links: BillingRecordLinks): Promise<Finding[]> {
  const refs = await recordRefs(
    db,
    pending.flatMap((p) => p.records),
    links,
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

/** The layer's run record, for findings about a run. */
export function runRef(runId: string, label?: string): RecordRef {
  return { platform: 'layer', entity: 'run', id: runId, label: label ?? null };
}

/** An amount in words for a finding's detail: `52.80 EUR`. */
export function amountText(amountMinor: number, currency: string): string {
  return `${minorToDecimalString(amountMinor, currency)} ${currency}`;
}

/** Money for a finding: null when there is none to speak of. */
export function atRisk(amountMinor: number, currency: string): Money | null {
  return amountMinor === 0 ? null : { amountMinor: Math.abs(amountMinor), currency };
}
