// Which invoice (line) billed each time entry or expense (migration 0140). The platform
// only keeps a flag; this is what makes "billed on exactly one invoice line" checkable.
import type { ColumnType } from 'kysely';
import { isUniqueViolation, nowMs, type DbExecutor } from '../../core/store/index.js';

export interface TimeBillingRefsTable {
  canonical_id: string;
  kind: 'time-entry' | 'expense';
  invoice_id: string;
  invoice_line_id: string | null;
  billed_at: ColumnType<number, number, never>;
}

declare module '../../core/store/schema.js' {
  interface Database {
    time_billing_refs: TimeBillingRefsTable;
  }
}

export interface BillingRef {
  invoiceId: string;
  invoiceLineId?: string | null;
}

export async function billingRefs(db: DbExecutor, ids: string[]): Promise<Map<string, BillingRef>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('time_billing_refs')
    .select(['canonical_id', 'invoice_id', 'invoice_line_id'])
    .where('canonical_id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.canonical_id, { invoiceId: r.invoice_id, invoiceLineId: r.invoice_line_id }]));
}

/**
 * Records the invoice line for a record, or finds the one recorded first. Returns the
 * reference that stands: the caller compares it with what it asked for.
 */
export async function claimBillingRef(
  db: DbExecutor,
  canonicalId: string,
  kind: 'time-entry' | 'expense',
  ref: BillingRef,
): Promise<BillingRef> {
  const existing = (await billingRefs(db, [canonicalId])).get(canonicalId);
  if (existing) return existing;
  try {
    await db
      .insertInto('time_billing_refs')
      .values({
        canonical_id: canonicalId,
        kind,
        invoice_id: ref.invoiceId,
        invoice_line_id: ref.invoiceLineId ?? null,
        billed_at: nowMs(),
      })
      .execute();
    return ref;
  } catch (err) {
    // Another request recorded one at the same moment: its reference stands.
    if (!isUniqueViolation(err)) throw err;
    const winner = (await billingRefs(db, [canonicalId])).get(canonicalId);
    if (!winner) throw err;
    return winner;
  }
}

export function sameRef(a: BillingRef, b: BillingRef): boolean {
  return a.invoiceId === b.invoiceId && (a.invoiceLineId ?? null) === (b.invoiceLineId ?? null);
}
