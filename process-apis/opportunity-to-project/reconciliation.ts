// The journey's reconciliation checks for the question `failed-provisioning`: won deals compared
// with ERP projects and the CRM's project field (`won-deals-provisioned`, reads the platforms), and
// failed provisioning runs (`provisioning-runs`, reads the layer). Repairs go through the journey's API.
import type { Kysely } from 'kysely';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { failedRunsCheck, type FailedRun, type FailedRunSubject } from '../kit/failed-runs-check.js';
import { recordRefs } from '../kit/platform-records.js';
import type { ReconciliationCheck, StoredFinding } from '../kit/reconciliation.js';
import type { TermsOutcome } from './workflow.js';
import { PROVISION_WORKFLOW, PROVISIONING_JOURNEY } from './workflow.js';
import type { CrmForReconciliation, ErpForReconciliation } from './ports.js';
import type { OpportunityToProjectApi } from './service.js';
import {
  CRM_PROJECT_LINK_MISSING,
  ERP_PROJECT_MISSING,
  WON_DEAL_REFUSED,
  WON_DEAL_WITHOUT_PROJECT,
  WON_DEALS_CHECK,
  wonDealFindings,
  type WonDealsOptions,
} from './won-deals-check.js';

export const PROVISIONING_RUNS_CHECK = 'provisioning-runs';
export const PROVISIONING_RUN_FAILED = 'provisioning-run-failed';
/** Default window of won deals compared: see the README (Reconciliation). */
export const WON_DEALS_WINDOW_DAYS = 90;
/** Default time a just-changed deal is given to reach provisioning: a poll interval (60 s) and its settle time, twice. */
export const WON_DEAL_SETTLE_MS = 130_000;

export interface ProvisioningChecksDeps {
  db: Kysely<Database>;
  crm: CrmForReconciliation;
  erp: ErpForReconciliation;
  /** Wakes the workflow engine after a retried run. */
  kick?: () => void;
}

export type ProvisioningChecksOptions = Partial<WonDealsOptions>;

type ProvisioningRepairs = Pick<OpportunityToProjectApi, 'provision' | 'reprovision' | 'writeBackProject'>;

/** The opportunity a finding is about: its first record, the CRM deal. */
function opportunityOf(finding: StoredFinding): string {
  const deal = finding.records.find((r) => r.platform === 'crm' && r.entity === 'opportunity');
  if (!deal?.canonicalId)
    throw new ProblemError('unprocessable-content', { detail: `Finding ${finding.exceptionId} names no CRM opportunity.` });
  return deal.canonicalId;
}

function wonDealsCheck(deps: ProvisioningChecksDeps, api: ProvisioningRepairs, options: WonDealsOptions): ReconciliationCheck {
  return {
    name: WON_DEALS_CHECK,
    journey: PROVISIONING_JOURNEY,
    question: 'failed-provisioning',
    reads: 'platforms',
    run: (ctx) => wonDealFindings(deps, options, ctx),
    async repair(finding) {
      const opportunityId = opportunityOf(finding);
      switch (finding.type) {
        case WON_DEAL_WITHOUT_PROJECT:
        case WON_DEAL_REFUSED:
          // A new validation of the deal as it is now; one provisioning per opportunity, one project at most.
          return { runId: (await api.provision(opportunityId, 'replay')).run.id };
        case ERP_PROJECT_MISSING: {
          const project = finding.records.find((r) => r.platform === 'erp' && r.entity === 'project');
          if (!project?.canonicalId)
            throw new ProblemError('unprocessable-content', { detail: `Finding ${finding.exceptionId} names no ERP project.` });
          return { runId: (await api.reprovision(opportunityId, project.canonicalId)).run.id };
        }
        case CRM_PROJECT_LINK_MISSING:
          return { runId: (await api.writeBackProject(opportunityId)).runId };
        default:
          throw new ProblemError('unprocessable-content', { detail: `${WON_DEALS_CHECK} has no repair for ${finding.type}.` });
      }
    },
  };
}

/** What a failed provisioning run was about, from the layer's own records (no platform call). */
async function describeFailedProvisioning(
  db: Kysely<Database>,
  crm: Pick<CrmForReconciliation, 'recordLinks'>,
  run: FailedRun,
): Promise<FailedRunSubject> {
  const opportunityId = (run.input as { opportunityId?: unknown } | null)?.opportunityId;
  if (typeof opportunityId !== 'string') return { records: [], title: 'Provisioning run failed' };
  const terms = await db
    .selectFrom('workflow_steps')
    .select('result')
    .where('run_id', '=', run.id)
    .where('name', '=', 'validate-terms')
    .where('state', '=', 'completed')
    .executeTakeFirst();
  const outcome = terms?.result ? (JSON.parse(terms.result) as TermsOutcome) : undefined;
  const valid = outcome?.ok ? outcome : undefined;
  const label = valid?.opportunityName.slice(0, 200) ?? null;
  return {
    records: await recordRefs({ crm }, [{ platform: 'crm', entity: 'opportunity', canonicalId: opportunityId, label }]),
    title: (valid ? `Provisioning of "${valid.opportunityName}" failed` : 'Provisioning of a won deal failed').slice(0, 300),
    moneyAtRisk: valid?.terms.budget ?? null,
  };
}

/** The journey's reconciliation checks, for the reconciliation runner. */
export function opportunityToProjectChecks(
  deps: ProvisioningChecksDeps,
  api: ProvisioningRepairs,
  options: ProvisioningChecksOptions = {},
): ReconciliationCheck[] {
  const won: WonDealsOptions = {
    windowDays: options.windowDays ?? WON_DEALS_WINDOW_DAYS,
    settleMs: options.settleMs ?? WON_DEAL_SETTLE_MS,
  };
  return [
    wonDealsCheck(deps, api, won),
    failedRunsCheck({
      name: PROVISIONING_RUNS_CHECK,
      journey: PROVISIONING_JOURNEY,
      question: 'failed-provisioning',
      type: PROVISIONING_RUN_FAILED,
      db: deps.db,
      // Only provisioning itself: a refused deal completes (outcome `refused`), and a failed intake
      // leaves a won deal without a run, which `won-deals-provisioned` finds.
      workflows: [PROVISION_WORKFLOW],
      describe: (run) => describeFailedProvisioning(deps.db, deps.crm, run),
      ...(deps.kick ? { kick: deps.kick } : {}),
    }),
  ];
}
