// What time-to-billing needs from the system APIs, as narrow typed views of the in-process
// system APIs (`systemApis.time`, `systemApis.erp`). Canonical types only.
import type { components as TimeSchemas } from '../../generated/openapi/system/time.v1.js';
import type { ErpSystemApi } from '../../system-apis/erp/service.js';
import type { TimeSystemApi } from '../../system-apis/time/service.js';

export type TimeEntry = TimeSchemas['schemas']['TimeEntry'];
export type Expense = TimeSchemas['schemas']['Expense'];
export type BillingRecordsInput = TimeSchemas['schemas']['BillingRecordsInput'];
export type BillingRecords = TimeSchemas['schemas']['BillingRecords'];

export interface TimeRecordQuery {
  cursor?: string;
  limit?: number;
  approvalStatus?: 'draft' | 'submitted' | 'approved';
  billingStatus?: 'unbilled' | 'billed';
  engagementId?: string;
  from?: string;
  to?: string;
}

/** The filters of a bulk read (`timeEntryPages`): those of a listing, without its paging. */
export type TimeBulkQuery = Omit<TimeRecordQuery, 'cursor' | 'limit'>;

export interface TimePage<T> {
  items: T[];
  nextCursor: string | null;
}

/** The operations of the Time system API (`systemApis.time`) that billing calls. */
export type TimeForBilling = Pick<TimeSystemApi, 'listTimeEntries' | 'timeEntryPages' | 'listExpenses' | 'recordBilling'>;

/** The records billing's reconciliation findings name, with the platforms' own ids and pages. */
export type TimeRecordLinks = Pick<TimeSystemApi, 'recordLinks'>;
export type ErpRecordLinks = Pick<ErpSystemApi, 'recordLinks'>;

/** The time system API's change feed of time entries (the catch-up path for late approvals). */
export type TimeFeed = Pick<TimeSystemApi, 'timeEntryFeedStart' | 'timeEntryChangesSince'>;

export type ErpForBilling = Pick<
  ErpSystemApi,
  | 'getProject'
  | 'listProjects'
  | 'getRateCard'
  | 'listRateCards'
  | 'getLegalEntity'
  | 'getClient'
  | 'listInvoices'
  | 'getInvoice'
  | 'createInvoice'
  | 'postInvoice'
  | 'releaseInvoice'
  | 'listPayments'
  | 'listMilestones'
  | 'markMilestoneBilled'
>;
