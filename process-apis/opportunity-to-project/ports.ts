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

/** Every page of a cursor-paged ERP listing (bounded: these are small master-data lists). */
export async function allPages<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = 50,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetch(cursor);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}
