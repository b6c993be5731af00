// Which payments and credit memos ERP recorded after an account was last written to the CRM:
// read from ERP's billing feed from the oldest of those times, each document followed to the
// invoices it is applied to. Tells "money came in that the CRM does not show" apart from other
// differences (reconciliation's `payment-not-on-crm`).
import type { Logger } from '../../core/observability/logger.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import { billingFeedFrom, type ErpRecordLink } from '../../system-apis/erp/index.js';

export type ErpForPaymentLookup = Pick<ErpSystemApi, 'billingChangesSince' | 'invoicesAffectedBy' | 'documentLink'>;

export interface UnreflectedDocument extends ErpRecordLink {
  type: 'customerPayment' | 'creditMemo';
  document: string;
  /** When ERP last changed it (its lastmodifieddate). */
  modifiedAt: Date;
}

/** The feed is read at most this far (pages of 200); past it, a difference keeps its general type. */
const MAX_PAGES = 10;
/** Documents followed to their invoices per pass, at most. */
const MAX_DOCUMENTS = 200;
/** Stamps are whole seconds: a document stamped in the second of the last write may be after it. */
const STAMP_SLACK_MS = 1_000;

/**
 * For each ERP client (with when its account was last written), the payments and credit memos
 * applied to its invoices and changed in ERP since. `clientOfInvoice` maps a canonical invoice id
 * to its client (the invoices the check already listed).
 */
export async function unreflectedDocuments(
  erp: ErpForPaymentLookup,
  lastWrittenMs: ReadonlyMap<string, number>,
  clientOfInvoice: ReadonlyMap<string, string>,
  signal: AbortSignal,
  logger?: Logger,
): Promise<Map<string, UnreflectedDocument[]>> {
  const found = new Map<string, UnreflectedDocument[]>();
  if (lastWrittenMs.size === 0) return found;
  let position = billingFeedFrom(new Date(Math.min(...lastWrittenMs.values()) - STAMP_SLACK_MS));
  // A document changed twice is read once, with its latest stamp (the feed is oldest first).
  const documents = new Map<string, UnreflectedDocument>();
  for (let page = 0; ; page++) {
    signal.throwIfAborted();
    if (page === MAX_PAGES || documents.size >= MAX_DOCUMENTS) {
      logger?.info({ pages: page, documents: documents.size }, 'ERP billing feed read to its bound; older payments are not told apart');
      break;
    }
    const { changes, next, more } = await erp.billingChangesSince(position, 200);
    for (const change of changes) {
      const link = erp.documentLink(change.document);
      if (!link || (link.type !== 'customerPayment' && link.type !== 'creditMemo')) continue;
      if (documents.size < MAX_DOCUMENTS || documents.has(change.document))
        documents.set(change.document, { ...link, type: link.type, document: change.document, modifiedAt: new Date(change.occurredAtMs) });
    }
    if (!more) break;
    position = next;
  }
  for (const doc of documents.values()) {
    signal.throwIfAborted();
    const clients = new Set((await erp.invoicesAffectedBy(doc.document)).map((id) => clientOfInvoice.get(id)));
    for (const clientId of clients) {
      const since = clientId === undefined ? undefined : lastWrittenMs.get(clientId);
      if (since === undefined || doc.modifiedAt.getTime() < since - STAMP_SLACK_MS) continue;
      found.set(clientId!, [...(found.get(clientId!) ?? []), doc]);
    }
  }
  return found;
}
