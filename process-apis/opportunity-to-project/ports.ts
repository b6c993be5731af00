// What the journey needs from each system API: narrow slices of the typed services, so the
// workflow states its dependencies and tests can see what it calls.
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { CrmSystemApi } from '../../system-apis/crm/service.js';
import type { SchedulingSystemApi } from '../../system-apis/scheduling/service.js';
import type { TimeSystemApi } from '../../system-apis/time/service.js';

export type CrmForProvisioning = Pick<CrmSystemApi, 'getOpportunity' | 'getClient' | 'setOpportunityErpProject' | 'canonicalIdOf'>;
export type ErpForProvisioning = Pick<
  ErpSystemApi,
  'listLegalEntities' | 'listRateCards' | 'findOrCreateClient' | 'listProjects' | 'createProject' | 'getProject'
>;
export type SchedulingForProvisioning = Pick<SchedulingSystemApi, 'putProject' | 'createStaffingRequest' | 'getStaffingRequest'>;
export type TimeForProvisioning = Pick<TimeSystemApi, 'putProject'>;
/** What the journey's reconciliation reads on the CRM: the won deals of its window, and the deals' ids and pages for findings. */
export type CrmForReconciliation = Pick<CrmSystemApi, 'listOpportunities' | 'recordLinks'>;
/** What the journey's reconciliation reads on ERP: the projects it made, and their ids and pages for findings. */
export type ErpForReconciliation = Pick<ErpSystemApi, 'getProject' | 'recordLinks'>;
