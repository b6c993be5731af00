// What billing-status-to-crm needs from each system API.
import type { CrmSystemApi } from '../../system-apis/crm/service.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';

export type ErpForBillingStatus = Pick<ErpSystemApi, 'getInvoice' | 'getPayment' | 'getProject' | 'listInvoices'>;
export type CrmForBillingStatus = Pick<CrmSystemApi, 'getClient' | 'setClientBillingStatus' | 'setOpportunityBillingStatus'>;
