// The path that cannot miss: ERP's billing changes (invoices, payments, credit memos, refunds)
// read through the ERP system API's change feed on a schedule and recorded into the inbox under
// source `erp-poll`, each change once, with the cursor that moves in the same transaction
// (core/change-capture). A change a webhook also announced starts no second run: both carry the
// same change key, and the run is keyed by it.
import type { ChangeFeed } from '../../core/change-capture/index.js';
import type { BillingFeedPosition } from '../../system-apis/erp/index.js';
import type { ErpBillingFeed } from './ports.js';

export const ERP_POLLED_SOURCE = 'erp-poll';
export const ERP_BILLING_STREAM = 'erp:billing';

/** What the inbox keeps for one polled change. */
export interface PolledBillingMessage {
  document: string;
  changeKey: string;
  invoiceId?: string;
}

export function billingChangeFeed(erp: ErpBillingFeed, options: { pageSize?: number } = {}): ChangeFeed<BillingFeedPosition> {
  return {
    stream: ERP_BILLING_STREAM,
    source: ERP_POLLED_SOURCE,
    initial: () => erp.billingFeedStart(),
    async pull(from) {
      const page = await erp.billingChangesSince(from, options.pageSize ?? 200);
      return {
        changes: page.changes.map((c) => ({
          id: c.changeKey,
          occurredAtMs: c.occurredAtMs,
          payload: {
            document: c.document,
            changeKey: c.changeKey,
            ...(c.invoiceId ? { invoiceId: c.invoiceId } : {}),
          } satisfies PolledBillingMessage,
        })),
        next: page.next,
        more: page.more,
      };
    },
  };
}
