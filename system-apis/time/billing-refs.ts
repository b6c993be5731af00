// Which invoice (line) billed each time entry or expense (migration 0140). The platform
// only keeps a flag; this is what makes "billed on exactly one invoice line" checkable.
import type { ColumnType } from 'kysely';
import { ProblemError } from '../../core/problems.js';
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

/** Ids per query: well under both engines' limits on bound parameters. */
const BATCH = 500;

export async function billingRefs(db: DbExecutor, ids: readonly string[]): Promise<Map<string, BillingRef>> {
  const out = new Map<string, BillingRef>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db
      .selectFrom('time_billing_refs')
      .select(['canonical_id', 'invoice_id', 'invoice_line_id'])
      .where('canonical_id', 'in', ids.slice(i, i + BATCH))
      .execute();
    for (const r of rows) out.set(r.canonical_id, { invoiceId: r.invoice_id, invoiceLineId: r.invoice_line_id });
  }
  return out;
}

export interface BillingClaim extends BillingRef {
  canonicalId: string;
  kind: 'time-entry' | 'expense';
}

function conflict(claim: BillingClaim, stands: BillingRef): ProblemError {
  return new ProblemError('conflict', {
    detail: `${claim.canonicalId} is already billed on invoice ${stands.invoiceId}${stands.invoiceLineId ? ` line ${stands.invoiceLineId}` : ''}.`,
  });
}

/**
 * Records many claims at once, all or nothing (one transaction): the ones already recorded for the
 * same invoice (line) are left as they are, any recorded for another is a 409 and nothing is written.
 * Inserts are multi-row; a claim another request recorded meanwhile is found again and compared.
 */
export async function claimBillingRefs(db: DbExecutor, claims: readonly BillingClaim[]): Promise<{ recorded: number; already: number }> {
  const write = async (trx: DbExecutor) => {
    const existing = await billingRefs(
      trx,
      claims.map((c) => c.canonicalId),
    );
    const fresh: BillingClaim[] = [];
    for (const claim of claims) {
      const stands = existing.get(claim.canonicalId);
      if (!stands) fresh.push(claim);
      else if (!sameRef(stands, claim)) throw conflict(claim, stands);
    }
    const billedAt = nowMs();
    for (let i = 0; i < fresh.length; i += BATCH / 5) {
      await trx
        .insertInto('time_billing_refs')
        .values(
          fresh.slice(i, i + BATCH / 5).map((c) => ({
            canonical_id: c.canonicalId,
            kind: c.kind,
            invoice_id: c.invoiceId,
            invoice_line_id: c.invoiceLineId ?? null,
            billed_at: billedAt,
          })),
        )
        .onConflict((oc) => oc.column('canonical_id').doNothing())
        .execute();
    }
    if (fresh.length > 0) {
      const now = await billingRefs(
        trx,
        fresh.map((c) => c.canonicalId),
      );
      for (const claim of fresh) if (!sameRef(now.get(claim.canonicalId)!, claim)) throw conflict(claim, now.get(claim.canonicalId)!);
    }
    return { recorded: fresh.length, already: claims.length - fresh.length };
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
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
