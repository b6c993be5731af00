// Where a person opens an ERP record: NetSuite's UI pages by record type and internal id, on the
// account's UI host (`<account>.app.netsuite.com` for REST web services on
// `<account>.suitetalk.api.netsuite.com`; any other base, a sandbox's, serves as its own).
import type { ErpEntity } from './ids.js';
import { parseBillingDocument, type BillingDocumentType } from './webhooks.js';

/** A record's internal id and the page that shows it. */
export interface ErpRecordLink {
  nativeId: string;
  url: string;
}

const PAGES: Partial<Record<ErpEntity | BillingDocumentType, string>> = {
  client: '/app/common/entity/custjob.nl',
  engagement: '/app/accounting/project/project.nl',
  invoice: '/app/accounting/transactions/custinvc.nl',
  customerPayment: '/app/accounting/transactions/custpymt.nl',
  creditMemo: '/app/accounting/transactions/custcred.nl',
  customerRefund: '/app/accounting/transactions/custrfnd.nl',
};

export function erpUiBase(restBaseUrl: string): string {
  const url = new URL(restBaseUrl);
  const account = /^([a-z0-9-]+)\.suitetalk\.api\.netsuite\.com$/i.exec(url.hostname)?.[1];
  return account ? `https://${account}.app.netsuite.com` : url.origin;
}

export function erpRecordUrl(uiBase: string, type: ErpEntity | BillingDocumentType, nativeId: string): string | undefined {
  const page = PAGES[type];
  return page ? `${uiBase}${page}?id=${encodeURIComponent(nativeId)}` : undefined;
}

/** The link of a billing document as the feed and webhooks name it (`customerPayment:123`). */
export function erpDocumentLink(uiBase: string, document: string): (ErpRecordLink & { type: BillingDocumentType }) | undefined {
  const ref = parseBillingDocument(document);
  const url = ref && erpRecordUrl(uiBase, ref.type, ref.nativeId);
  return ref && url ? { type: ref.type, nativeId: ref.nativeId, url } : undefined;
}
