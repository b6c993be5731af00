// The projects provisioned for a CRM account, with their staffing state: ERP projects of the
// client the account became, and the state of the staffing requests each provisioning raised.
import type { Kysely } from 'kysely';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { stepResults } from '../../core/workflows/index.js';
import type { Engagement } from '../../system-apis/erp/canonical.js';
import { erpClientOf } from '../kit/client-links.js';
import { allPages, MASTER_DATA_MAX_PAGES } from '../kit/all-pages.js';
import { type CrmForProvisioning, type ErpForProvisioning, type SchedulingForProvisioning } from './ports.js';
import { PROVISION_WORKFLOW, type ProvisioningResults } from './workflow.js';

export type StaffingState = 'unstaffed' | 'partially-staffed' | 'staffed';

export interface AccountProjects {
  accountId: string;
  name: string;
  /** The account's billing currency, when the CRM has one. */
  currency: string | null;
  projects: Array<{ engagement: Engagement; staffingState: StaffingState }>;
}

/** Staffing requests raised for each engagement, from completed request-staffing steps. */
async function staffingRequestsByEngagement(db: Kysely<Database>, engagementIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (engagementIds.length === 0) return out;
  const rows = await db
    .selectFrom('workflow_steps as s')
    .innerJoin('workflow_runs as r', 'r.id', 's.run_id')
    .select(['s.run_id', 's.name', 's.result'])
    .where('r.definition', '=', PROVISION_WORKFLOW)
    .where('s.name', 'in', ['create-project', 'request-staffing'])
    .where('s.state', '=', 'completed')
    .execute();
  const stepsByRun = new Map<string, Array<{ name: string; state: 'completed'; result: unknown }>>();
  for (const row of rows) {
    const steps = stepsByRun.get(row.run_id) ?? [];
    steps.push({ name: row.name, state: 'completed', result: row.result === null ? null : JSON.parse(row.result) });
    stepsByRun.set(row.run_id, steps);
  }
  const wanted = new Set(engagementIds);
  for (const steps of stepsByRun.values()) {
    // The query reads provisioning runs only.
    const result = stepResults<ProvisioningResults>({ definition: PROVISION_WORKFLOW, steps }, PROVISION_WORKFLOW);
    const project = result('create-project');
    const staffing = result('request-staffing');
    if (!project || !('engagementId' in project) || !staffing || !('staffingRequestIds' in staffing)) continue;
    if (wanted.has(project.engagementId))
      out.set(project.engagementId, [...(out.get(project.engagementId) ?? []), ...staffing.staffingRequestIds]);
  }
  return out;
}

export function staffingStateOf(statuses: readonly string[]): StaffingState {
  const live = statuses.filter((s) => s !== 'cancelled');
  if (live.length === 0 || live.every((s) => s === 'open')) return 'unstaffed';
  return live.every((s) => s === 'filled') ? 'staffed' : 'partially-staffed';
}

export async function accountProjects(
  deps: {
    db: Kysely<Database>;
    crm: CrmForProvisioning;
    erp: ErpForProvisioning;
    scheduling: SchedulingForProvisioning & { getStaffingRequest(id: string): Promise<{ status: string }> };
  },
  accountId: string,
): Promise<AccountProjects> {
  const account = await deps.crm.getClient(accountId).catch((err: unknown) => {
    if (err instanceof ProblemError && err.status === 404) throw new ProblemError('not-found', { detail: `No CRM account ${accountId}.` });
    throw err;
  });
  const erpClientId = await erpClientOf(deps.db, accountId);
  const engagements = erpClientId
    ? await allPages((cursor) => deps.erp.listProjects({ cursor, limit: 200, clientId: erpClientId }), MASTER_DATA_MAX_PAGES)
    : [];
  const requests = await staffingRequestsByEngagement(
    deps.db,
    engagements.map((e) => e.id),
  );
  const projects = [];
  for (const engagement of engagements.slice(0, 200)) {
    const statuses = await Promise.all(
      (requests.get(engagement.id) ?? []).map(async (id) => (await deps.scheduling.getStaffingRequest(id)).status),
    );
    projects.push({ engagement, staffingState: staffingStateOf(statuses) });
  }
  return { accountId, name: account.name, currency: account.defaultCurrency, projects };
}
