// Where a person opens an ERP record: NetSuite's UI pages by record type and internal id, on the
// account's UI host (`<account>.app.netsuite.com`): the one of the REST host
// (`<account>.suitetalk.api.netsuite.com`), else the configured account's, else the base itself.
import type { RecordLink } from '../kit/record-links.js';
import type { ErpEntity } from './ids.js';
import { parseBillingDocument, type BillingDocumentType } from './webhooks.js';

/** A record's internal id and the page that shows it (null for a record type NetSuite shows on no page of its own). */
export type ErpRecordLink = RecordLink;

const PAGES: Partial<Record<ErpEntity | BillingDocumentType, string>> = {
  client: '/app/common/entity/custjob.nl',
  engagement: '/app/accounting/project/project.nl',
  invoice: '/app/accounting/transactions/custinvc.nl',
  customerPayment: '/app/accounting/transactions/custpymt.nl',
  creditMemo: '/app/accounting/transactions/custcred.nl',
  customerRefund: '/app/accounting/transactions/custrfnd.nl',
};

/**
 * The UI host of the account the layer talks to. The account id as NetSuite writes it
 * (`1234567_SB1`) names the host in lower case with `-` for `_` (`1234567-sb1.app.netsuite.com`).
 */
export function erpUiBase(restBaseUrl: string, accountId?: string): string {
  const url = new URL(restBaseUrl);
  const account = /^([a-z0-9-]+)\.suitetalk\.api\.netsuite\.com$/i.exec(url.hostname)?.[1];
  if (account) return `https://${account.toLowerCase()}.app.netsuite.com`;
  if (accountId) return `https://${accountId.toLowerCase().replace(/_/g, '-')}.app.netsuite.com`;
  return url.origin;
}

export function erpRecordUrl(uiBase: string, type: ErpEntity | BillingDocumentType, nativeId: string): string | undefined {
  const page = PAGES[type];
  return page ? `${uiBase}${page}?id=${encodeURIComponent(nativeId)}` : undefined;
}

/** The link of a billing document as the feed and webhooks name it (`customerPayment:123`). */
export function erpDocumentLink(
  uiBase: string,
  document: string,
): (ErpRecordLink & { type: BillingDocumentType; url: string }) | undefined {
  const ref = parseBillingDocument(document);
  const url = ref && erpRecordUrl(uiBase, ref.type, ref.nativeId);
  return ref && url ? { type: ref.type, nativeId: ref.nativeId, url } : undefined;
}
