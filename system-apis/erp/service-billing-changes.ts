// ERP billing changes for the catch-up path: a SuiteQL feed over `transaction` (invoices,
// customer payments, credit memos, customer refunds) by last-modified time with the internal id
// as tie-breaker, and the invoices a changed document touches (a payment, credit memo or refund
// entered by hand in ERP is found by its internal id, not by an external id the layer gave it).
import { ProblemError } from '../../core/problems.js';
import type { ErpBilling } from './service-billing.js';
import { sqlNativeId, sqlString, type ErpContext } from './service-context.js';
import type { NsApplyingDocument, NsInvoice } from './vendor-types.js';
import { BILLING_DOCUMENT_TYPES, billingChangeOf, parseBillingDocument, type BillingDocumentType } from './webhooks.js';

/** Where the billing feed stands: the last change read (watermark and tie-breaker). */
export interface BillingFeedPosition {
  /** `lastmodifieddate` of the last change read, as TO_CHAR(…, 'YYYY-MM-DD HH24:MI:SS') shows it. */
  modifiedAfter: string;
  /** Its internal id: changes in the same second with a higher id come next. */
  lastId: string;
}

export interface BillingFeedChange {
  /** The document that changed (opaque; `invoicesAffectedBy` reads it). */
  document: string;
  /** The same key a webhook for this version of the document yields. */
  changeKey: string;
  /** The canonical invoice id, when the document is an invoice the layer created. */
  invoiceId?: string;
  occurredAtMs: number;
}

export interface BillingFeedPage {
  changes: BillingFeedChange[];
  next: BillingFeedPosition;
  more: boolean;
}

const TYPES = `type IN (${Object.keys(BILLING_DOCUMENT_TYPES).map(sqlString).join(', ')})`;
/**
 * SuiteQL shows dates by the user's preference; TO_CHAR and TO_TIMESTAMP fix one format, to the
 * second, in the account's time zone. What a watermark must look like before it goes back into a query.
 */
const FORMAT = `'YYYY-MM-DD HH24:MI:SS'`;
const WATERMARK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const EPOCH: BillingFeedPosition = { modifiedAfter: '1970-01-01 00:00:00', lastId: '0' };
const MODIFIED = `TO_CHAR(lastmodifieddate, ${FORMAT}) AS modified`;

type Row = {
  id?: string;
  type?: string;
  modified?: string;
  externalid?: string;
  status?: string;
  custbody_billing_hold?: string;
  foreignamountremaining?: string;
};

/**
 * The feed position from which every billing change at or after `at` is read (to the second;
 * the account's time zone taken as UTC, as below): for a reader asking what changed since then.
 */
export function billingFeedFrom(at: Date): BillingFeedPosition {
  const second = new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
  return { modifiedAfter: `${second.slice(0, 10)} ${second.slice(11, 19)}`, lastId: '0' };
}

function positionOf(row: Row | undefined): BillingFeedPosition | undefined {
  if (!row?.id || !row.modified || !WATERMARK.test(row.modified)) return undefined;
  return { modifiedAfter: row.modified, lastId: sqlNativeId(String(row.id)) };
}

export class ErpBillingChanges {
  constructor(
    private readonly ctx: ErpContext,
    private readonly billing: ErpBilling,
  ) {}

  /** A new feed starts after the newest billing change ERP holds now (history is the reconciling poll's). */
  async feedStart(): Promise<BillingFeedPosition> {
    const { items } = await this.ctx.connector.query<Row>(
      `SELECT id, ${MODIFIED} FROM transaction WHERE ${TYPES} ORDER BY lastmodifieddate DESC, id DESC`,
      { limit: 1, offset: 0 },
    );
    return positionOf(items[0]) ?? EPOCH;
  }

  /** One page of billing changes after `from`, oldest first. */
  async changesSince(from: BillingFeedPosition, limit = 200): Promise<BillingFeedPage> {
    if (!WATERMARK.test(from.modifiedAfter)) {
      throw new ProblemError('validation-failed', { detail: 'The billing feed position is not one this API gave.' });
    }
    const at = `TO_TIMESTAMP(${sqlString(from.modifiedAfter)}, ${FORMAT})`;
    // SuiteQL has no row comparison: (t, id) > (at, last) spelled out; AND binds tighter than OR.
    const q =
      `SELECT id, type, ${MODIFIED}, externalid, status, custbody_billing_hold, foreignamountremaining FROM transaction WHERE ${TYPES} AND lastmodifieddate > ${at} ` +
      `OR ${TYPES} AND lastmodifieddate = ${at} AND id > ${sqlNativeId(from.lastId)} ORDER BY lastmodifieddate, id`;
    const result = await this.ctx.connector.query<Row>(q, { limit, offset: 0 });
    const changes: BillingFeedChange[] = [];
    let next = from;
    for (const row of result.items) {
      const position = positionOf(row);
      const type = BILLING_DOCUMENT_TYPES[row.type as keyof typeof BILLING_DOCUMENT_TYPES];
      if (!position || !type) continue;
      const change = billingChangeOf({
        type,
        nativeId: position.lastId,
        lastModified: position.modifiedAfter,
        externalId: row.externalid,
        status: row.status,
        billingHold: row.custbody_billing_hold === 'T',
        amountRemaining: row.foreignamountremaining,
      });
      // The account's time zone is taken as UTC here (the sandbox's is); it only moves the lag figure.
      const occurredAtMs = Date.parse(`${position.modifiedAfter.replace(' ', 'T')}Z`);
      changes.push({ ...change, changeKey: change.changeKey!, occurredAtMs });
      next = position;
    }
    return { changes, next, more: result.hasMore };
  }

  /**
   * The canonical ids of the invoices a billing document touches: an invoice itself; the
   * invoices a payment or credit memo is applied to; for a refund, those of the credit memos and
   * payments it pays out. A document gone from ERP touches none.
   */
  async invoicesAffectedBy(document: string): Promise<string[]> {
    const ref = parseBillingDocument(document);
    if (!ref) {
      throw new ProblemError('validation-failed', {
        detail: 'Not an ERP billing document reference.',
        errors: [{ pointer: '/document', detail: 'unknown form' }],
      });
    }
    const invoiceNatives = await this.invoiceNativesOf(ref.type, ref.nativeId, 0);
    const invoices = await this.ctx.fetchRecords<NsInvoice>('invoice', [...new Set(invoiceNatives)]);
    return (await this.billing.invoices(invoices)).map((i) => i.id);
  }

  private async invoiceNativesOf(type: BillingDocumentType, nativeId: string, depth: number): Promise<string[]> {
    if (type === 'invoice') return [nativeId];
    const record = await this.ctx.connector.getRecord<NsApplyingDocument>(type, nativeId);
    const applied = (record?.apply?.items ?? []).filter((line) => line.apply !== false && line.doc?.id);
    if (type !== 'customerRefund') return applied.map((line) => String(line.doc!.id));
    if (depth > 0) return [];
    const out: string[] = [];
    for (const line of applied) {
      // A refund pays out a credit memo's or a payment's unapplied amount; follow what those were applied to.
      const source: BillingDocumentType = line.type === 'Payment' ? 'customerPayment' : 'creditMemo';
      out.push(...(await this.invoiceNativesOf(source, String(line.doc!.id), depth + 1)));
    }
    return out;
  }
}
