// What billing-status-to-crm needs from each system API.
import type { CrmSystemApi } from '../../system-apis/crm/service.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';

export type ErpForBillingStatus = Pick<
  ErpSystemApi,
  'getInvoice' | 'getPayment' | 'getProject' | 'listProjects' | 'listInvoices' | 'invoicesAffectedBy'
>;
/** What the billing change feed reads. */
export type ErpBillingFeed = Pick<ErpSystemApi, 'billingFeedStart' | 'billingChangesSince'>;
export type CrmForBillingStatus = Pick<CrmSystemApi, 'getClient' | 'setClientBillingStatus' | 'setOpportunityBillingStatus'>;
