// Reconciliation of won deals with their ERP projects (`won-deals-provisioned`): the CRM's
// closed-won opportunities of the window, the layer's latest provisioning of each, ERP's project
// and the project id the CRM shows. Each mismatch is a finding with a repair through this
// journey's own API (start, re-provision, write back), never a connector.
import type { Kysely } from 'kysely';
import { minorToDecimalString } from '../../core/money.js';
import type { Database } from '../../core/store/schema.js';
import type { Engagement } from '../../system-apis/erp/canonical.js';
import type { Opportunity } from '../../system-apis/crm/canonical.js';
import { runRef as layerRunRef, type CheckContext, type Finding, type RecordRef } from '../kit/reconciliation.js';
import { recordRefs } from '../kit/platform-records.js';
import { PROVISION_WORKFLOW } from './workflow.js';
import type { CrmForReconciliation, ErpForReconciliation } from './ports.js';
import { ProblemError } from '../../core/problems.js';

export const WON_DEALS_CHECK = 'won-deals-provisioned';
export const WON_DEAL_WITHOUT_PROJECT = 'won-deal-without-project';
export const WON_DEAL_REFUSED = 'won-deal-refused';
export const ERP_PROJECT_MISSING = 'erp-project-missing';
export const CRM_PROJECT_LINK_MISSING = 'crm-project-link-missing';

const DAY_MS = 86_400_000;
/** One CRM page of won deals (the system API's largest page). */
const PAGE = 200;
/** ERP project reads in flight at once: the ERP answers one record per request. */
const ERP_CONCURRENCY = 4;

export interface WonDealsOptions {
  /** Won deals modified within this many days are compared (RECONCILE_WON_DEALS_DAYS). */
  windowDays: number;
  /**
   * A deal changed this recently with no run yet is on its way (change event or catch-up poll
   * still delivering it), not missed: it is left for the next pass.
   */
  settleMs: number;
}

/** The latest provisioning run of a deal, as far as this check needs it. */
interface LatestRun {
  id: string;
  state: string;
  outcome: string | null;
  outcomeReason: string | null;
  finishedAtMs: number | null;
  project?: { engagementId: string; code: string | null; name: string };
}

/**
 * The latest provisioning run of each opportunity, with its project. Run keys are `<id>` for the
 * first run and `<id>#<n>` for the n-th generation, which exists only where generation n-1 does:
 * one exact look-up per generation on the (definition, run_key) index, for the deals that reached
 * it, so the cost follows the runs read, not the size of the runs table.
 */
async function latestRuns(db: Kysely<Database>, opportunityIds: readonly string[]): Promise<Map<string, LatestRun>> {
  const out = new Map<string, LatestRun>();
  let reached = [...new Set(opportunityIds)];
  for (let generation = 1; reached.length > 0; generation++) {
    const keyOf = (id: string) => (generation === 1 ? id : `${id}#${generation}`);
    const rows = await db
      .selectFrom('workflow_runs')
      .select(['id', 'run_key', 'state', 'outcome', 'outcome_reason', 'finished_at_ms'])
      .where('definition', '=', PROVISION_WORKFLOW)
      .where('run_key', 'in', reached.map(keyOf))
      .execute();
    for (const row of rows) {
      out.set(row.run_key.split('#')[0]!, {
        id: row.id,
        state: row.state,
        outcome: row.outcome,
        outcomeReason: row.outcome_reason,
        finishedAtMs: row.finished_at_ms === null ? null : Number(row.finished_at_ms),
      });
    }
    reached = rows.map((row) => row.run_key.split('#')[0]!);
  }
  const completed = [...out.values()].filter((r) => r.state === 'completed' && !r.outcome);
  if (completed.length === 0) return out;
  const byRun = new Map(completed.map((r) => [r.id, r]));
  const steps = await db
    .selectFrom('workflow_steps')
    .select(['run_id', 'result'])
    .where('name', '=', 'create-project')
    .where('state', '=', 'completed')
    .where('run_id', 'in', [...byRun.keys()])
    .execute();
  for (const step of steps) {
    const result =
      step.result === null ? null : (JSON.parse(step.result) as { engagementId?: string; code?: string | null; name?: string });
    if (result?.engagementId)
      byRun.get(step.run_id)!.project = { engagementId: result.engagementId, code: result.code ?? null, name: result.name ?? '' };
  }
  return out;
}

/** ERP's project for each engagement id, or null where ERP no longer has it (404). */
async function erpProjects(erp: Pick<ErpForReconciliation, 'getProject'>, ids: readonly string[]): Promise<Map<string, Engagement | null>> {
  const out = new Map<string, Engagement | null>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const project = await erp.getProject(id).catch((err: unknown) => {
        if (err instanceof ProblemError && err.status === 404) return null;
        throw err;
      });
      out.set(id, project);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ERP_CONCURRENCY, ids.length) }, worker));
  return out;
}

/** When the deal was won, as the CRM says: its close date (a day), unless that lies ahead; then its last change. */
function wonSince(opportunity: Opportunity, now: Date): Date {
  const closed = Date.parse(`${opportunity.closeDate}T00:00:00Z`);
  return Number.isFinite(closed) && closed <= now.getTime() ? new Date(closed) : new Date(opportunity.updatedAt);
}

const formatMoney = (o: Opportunity) =>
  o.amount ? `${minorToDecimalString(o.amount.amountMinor, o.amount.currency)} ${o.amount.currency}` : 'no amount';

/** Compares one page of won deals; returns its findings. */
export async function compareWonDeals(
  deps: { db: Kysely<Database>; crm: Pick<CrmForReconciliation, 'recordLinks'>; erp: ErpForReconciliation },
  opportunities: readonly Opportunity[],
  options: WonDealsOptions,
  now: Date,
): Promise<Finding[]> {
  const runs = await latestRuns(
    deps.db,
    opportunities.map((o) => o.id),
  );
  const provisioned = opportunities.filter((o) => runs.get(o.id)?.project);
  const projects = await erpProjects(
    deps.erp,
    provisioned.map((o) => runs.get(o.id)!.project!.engagementId),
  );
  // One bulk call per platform for every record this page's findings may name.
  const labels = new Map(provisioned.map((o) => [runs.get(o.id)!.project!.engagementId, runs.get(o.id)!.project!]));
  const refs = await recordRefs({ crm: deps.crm, erp: deps.erp }, [
    ...opportunities.map((o) => ({
      platform: 'crm' as const,
      entity: 'opportunity' as const,
      canonicalId: o.id,
      label: o.name.slice(0, 200),
    })),
    ...[...labels.values()].map((p) => ({
      platform: 'erp' as const,
      entity: 'project' as const,
      canonicalId: p.engagementId,
      label: (projects.get(p.engagementId)?.code ?? p.code ?? p.name).slice(0, 200) || null,
    })),
  ]);
  const refOf = new Map(refs.map((r) => [`${r.platform}:${r.canonicalId}`, r]));
  const dealRef = (o: Opportunity): RecordRef => refOf.get(`crm:${o.id}`)!;
  const runRef = (run: LatestRun): RecordRef => layerRunRef(run.id, PROVISION_WORKFLOW);
  const projectRef = (engagementId: string): RecordRef => refOf.get(`erp:${engagementId}`)!;

  const findings: Finding[] = [];
  for (const deal of opportunities) {
    const run = runs.get(deal.id);
    const base = { records: [dealRef(deal)], moneyAtRisk: deal.amount ?? null, run: null };
    if (!run) {
      // The CRM names a project the layer never made (provisioned before or beside the layer): not the layer's to chase.
      if (deal.erpProject) continue;
      if (now.getTime() - Date.parse(deal.updatedAt) < options.settleMs) continue;
      const since = wonSince(deal, now);
      findings.push({
        ...base,
        type: WON_DEAL_WITHOUT_PROJECT,
        key: deal.id,
        title: `Deal "${deal.name}" is won on the CRM but has no ERP project`.slice(0, 300),
        detail: `Opportunity ${dealRef(deal).id} (${deal.name}, ${formatMoney(deal)}) is closed-won since ${since.toISOString().slice(0, 10)}; the CRM shows no ERP project and the layer never started provisioning it.`,
        since,
        repair: {
          safe: true,
          action: 'start-provisioning',
          description: 'Start provisioning for the opportunity through the journey (idempotent: one ERP project at most).',
        },
      });
      continue;
    }
    // Under way, or failed (the provisioning-runs check reports failed runs with their step and error).
    if (run.state !== 'completed') continue;
    if (run.outcome === 'refused') {
      findings.push({
        ...base,
        records: [dealRef(deal), runRef(run)],
        type: WON_DEAL_REFUSED,
        key: `${deal.id}:${run.id}`,
        title: `Deal "${deal.name}" is won but its terms were refused, so it has no ERP project`.slice(0, 300),
        detail:
          `Opportunity ${dealRef(deal).id} (${deal.name}, ${formatMoney(deal)}) is closed-won; run ${run.id} refused it: ${run.outcomeReason ?? 'no reason recorded'}`.slice(
            0,
            2000,
          ),
        ...(run.finishedAtMs ? { since: new Date(run.finishedAtMs) } : {}),
        repair: {
          safe: false,
          action: 'start-provisioning',
          description:
            'Fix the reasons on the CRM opportunity (or its account), then start provisioning again: the terms are validated anew.',
        },
      });
      continue;
    }
    if (!run.project) continue;
    const { engagementId } = run.project;
    const project = projects.get(engagementId);
    if (project === null) {
      const label = run.project.code ?? run.project.name;
      findings.push({
        ...base,
        records: [dealRef(deal), projectRef(engagementId), runRef(run)],
        type: ERP_PROJECT_MISSING,
        key: `${deal.id}:${engagementId}`,
        title: `ERP no longer has project ${label} of won deal "${deal.name}"`.slice(0, 300),
        detail: `Run ${run.id} provisioned ERP project ${label} (${projectRef(engagementId).id}) for opportunity ${dealRef(deal).id} (${deal.name}, ${formatMoney(deal)}); ERP answers that it does not exist. The CRM shows ${deal.erpProject?.projectId ?? 'no project'}.`,
        repair: {
          safe: false,
          action: 'reprovision',
          description:
            'Provision the deal again: a new ERP project, its Time project and the write-back to the CRM (one project at most). Only if the project was not deleted on purpose; otherwise dismiss with the reason.',
        },
      });
      continue;
    }
    if (!project) continue;
    const expected = project.code ?? project.id;
    const shown = deal.erpProject?.projectId ?? null;
    if (shown === expected) continue;
    findings.push({
      ...base,
      records: [dealRef(deal), projectRef(engagementId), runRef(run)],
      // The project exists and bills; what is wrong is what the account team sees.
      moneyAtRisk: null,
      type: CRM_PROJECT_LINK_MISSING,
      key: `${deal.id}:${shown ?? 'none'}:${expected}`.slice(0, 300),
      title: (shown
        ? `The CRM shows project ${shown} on deal "${deal.name}", ERP holds ${expected}`
        : `The CRM does not show ERP project ${expected} on deal "${deal.name}"`
      ).slice(0, 300),
      detail: `ERP project ${expected} (${projectRef(engagementId).id}) exists for opportunity ${dealRef(deal).id} (${deal.name}); the CRM's ERP project field holds ${shown ?? 'nothing'}.`,
      since: new Date(deal.updatedAt),
      repair: { safe: true, action: 'write-back-project', description: `Write ERP project ${expected} back onto the CRM opportunity.` },
    });
  }
  return findings;
}

/** Every won deal of the window, page by page, compared as it comes. */
export async function wonDealFindings(
  deps: { db: Kysely<Database>; crm: CrmForReconciliation; erp: ErpForReconciliation },
  options: WonDealsOptions,
  ctx: CheckContext,
): Promise<Finding[]> {
  const updatedSince = new Date(ctx.now.getTime() - options.windowDays * DAY_MS).toISOString();
  const findings: Finding[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.crm.listOpportunities({ stage: 'closed-won', updatedSince, limit: PAGE, ...(cursor ? { cursor } : {}) });
    findings.push(...(await compareWonDeals(deps, page.items, options, ctx.now)));
    ctx.compared(page.items.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && !ctx.signal.aborted);
  return findings;
}
