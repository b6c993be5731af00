// ERP record-change webhooks and polled changes read as canonical billing changes. Signature
// checking and de-duplication happen before this, in core/inbox; this only reads the payload.
// A change names an ERP billing document (opaque above this layer) and the version of it that
// changed, so that the same change arriving by webhook and by the change feed has one key.

/** The NetSuite transaction types the billing feed follows, by SuiteQL type and REST record type. */
export const BILLING_DOCUMENT_TYPES = {
  CustInvc: 'invoice',
  CustPymt: 'customerPayment',
  CustCred: 'creditMemo',
  CustRfnd: 'customerRefund',
} as const;
export type BillingDocumentType = (typeof BILLING_DOCUMENT_TYPES)[keyof typeof BILLING_DOCUMENT_TYPES];
const DOCUMENT_TYPES = new Set<string>(Object.values(BILLING_DOCUMENT_TYPES));
const NATIVE_ID = /^\d{1,18}$/;

export interface BillingChange {
  /** The ERP billing document that changed: pass it to `invoicesAffectedBy`. Opaque. */
  document: string;
  /** One version of the document; undefined when the sender did not say which (then key by the message). */
  changeKey?: string;
  /** The canonical invoice id, when the document is an invoice the layer created (its external id). */
  invoiceId?: string;
}

const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What both a webhook and a SuiteQL row say of a changed document. */
export interface DocumentVersion {
  type: BillingDocumentType;
  nativeId: string;
  /** `lastmodifieddate`: seconds only, so an invoice's version also names its status, hold and amount remaining. */
  lastModified?: string;
  externalId?: string;
  status?: string;
  billingHold?: boolean;
  amountRemaining?: number | string;
}

/**
 * A last-modified time to the second, as the webhook (RFC 3339) and SuiteQL's TO_CHAR
 * (`YYYY-MM-DD HH24:MI:SS`) both give it: `2026-12-03T07:30:00`. Anything else: undefined.
 */
function toSecond(stamp: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z)?$/.exec(stamp);
  return match ? `${match[1]}T${match[2]}` : undefined;
}

/**
 * The change a version of a document is, keyed the same whichever path reported it. Two edits
 * of an invoice within one second differ in status, hold or amount remaining when they matter.
 */
export function billingChangeOf(v: DocumentVersion): BillingChange {
  const document = billingDocument(v.type, v.nativeId);
  const modified = v.lastModified === undefined ? undefined : toSecond(v.lastModified);
  let changeKey = modified ? `${document}@${modified}` : undefined;
  if (changeKey && v.type === 'invoice') {
    const remaining = v.amountRemaining === undefined || v.amountRemaining === '' ? '' : String(Number(v.amountRemaining));
    changeKey += `:${v.status ?? ''}:${v.billingHold ? 'H' : '-'}:${remaining}`;
  }
  const invoiceId = v.type === 'invoice' && v.externalId && CANONICAL_ID.test(v.externalId) ? v.externalId.toLowerCase() : undefined;
  return { document, ...(changeKey ? { changeKey } : {}), ...(invoiceId ? { invoiceId } : {}) };
}

/** A webhook the layer read and does not follow, and why. */
export interface IgnoredBillingWebhook {
  ignored: 'record-type' | 'no-internal-id';
  detail: string;
}

export const billingDocument = (type: BillingDocumentType, nativeId: string) => `${type}:${nativeId}`;

export function parseBillingDocument(document: string): { type: BillingDocumentType; nativeId: string } | undefined {
  const [type, nativeId, ...rest] = document.split(':');
  if (rest.length || !type || !DOCUMENT_TYPES.has(type) || !nativeId || !NATIVE_ID.test(nativeId)) return undefined;
  return { type: type as BillingDocumentType, nativeId };
}

/**
 * The billing change a NetSuite record webhook announces, or a reason it is not one the layer
 * follows. Records are named by their internal id, whoever created them: a payment entered by
 * hand in ERP carries no external id and is followed all the same.
 */
export function readBillingChange(payload: unknown): BillingChange | IgnoredBillingWebhook {
  const p = payload as
    | {
        recordType?: unknown;
        id?: unknown;
        lastModifiedDate?: unknown;
        externalId?: unknown;
        status?: { id?: unknown };
        billingHold?: unknown;
        amountRemaining?: unknown;
      }
    | undefined;
  if (typeof p?.recordType !== 'string' || !DOCUMENT_TYPES.has(p.recordType)) {
    const named = typeof p?.recordType === 'string' ? p.recordType.slice(0, 40) : 'missing';
    return { ignored: 'record-type', detail: `record type ${named} is not a billing document` };
  }
  const nativeId = typeof p.id === 'string' || typeof p.id === 'number' ? String(p.id) : '';
  if (!NATIVE_ID.test(nativeId)) return { ignored: 'no-internal-id', detail: 'the webhook names no internal id' };
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 64 ? v : undefined);
  const remaining = p.amountRemaining;
  return billingChangeOf({
    type: p.recordType as BillingDocumentType,
    nativeId,
    lastModified: text(p.lastModifiedDate),
    externalId: text(p.externalId),
    status: text(p.status?.id),
    billingHold: p.billingHold === true,
    amountRemaining: typeof remaining === 'number' || typeof remaining === 'string' ? remaining : undefined,
  });
}
