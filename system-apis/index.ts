// The system layer as one typed object: one system API per platform, in the canonical model.
// The composition root builds it (gateway/platforms.ts); process APIs are built on it.
import type { CrmSystemApi } from './crm/index.js';
import type { ErpSystemApi } from './erp/index.js';
import type { SchedulingSystemApi } from './scheduling/index.js';
import type { TimeSystemApi } from './time/index.js';

/** What process modules may call. */
export interface SystemApis {
  crm: CrmSystemApi;
  erp: ErpSystemApi;
  scheduling: SchedulingSystemApi;
  time: TimeSystemApi;
}

export type Platform = keyof SystemApis;
