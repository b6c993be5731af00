// The provisioning status of one opportunity, read from its latest run: the stages the CRM
// user sees, the ids created so far and, for invalid terms, the reasons to fix.
import { stepResults, type RunDetail } from '../../core/workflows/index.js';
import type { components } from '../../generated/openapi/process/opportunity-to-project.v1.js';
import { errorCode, type JourneyRuns, type RunError } from '../kit/run-view.js';
import { PROVISION_WORKFLOW, type ProvisioningResults } from './workflow.js';

export type Provisioning = components['schemas']['Provisioning'];
type Stage = components['schemas']['ProvisioningStage'];
type StageName = Stage['name'];

// The stages v1 of this contract and CRM v2 enumerate (a closed enum: adding a name is a
// breaking change there). Later steps, such as open-time-project, show in the run view's steps.
const STAGES: readonly StageName[] = [
  'validate-terms',
  'map-legal-entity',
  'ensure-client',
  'create-project',
  'request-staffing',
  'write-back-to-crm',
];

/** The completed steps' results of a provisioning run, typed by its steps. */
const resultsOf = (detail: RunDetail) => stepResults<ProvisioningResults>(detail, PROVISION_WORKFLOW);

function rejection(detail: RunDetail): RunError | undefined {
  const outcome = resultsOf(detail)('validate-terms');
  if (!outcome || outcome.ok) return undefined;
  return {
    code: 'invalid-contract-terms',
    detail: `The contract terms cannot be provisioned: ${outcome.errors.map((e) => e.detail).join(' ')}`.slice(0, 2000),
    platform: 'crm',
    errors: outcome.errors.slice(0, 50),
  };
}

export const OPPORTUNITY_RUNS: JourneyRuns = {
  journey: 'opportunity-to-project',
  definitions: [PROVISION_WORKFLOW],
  subjectField: 'opportunityId',
  rejectionOf: rejection,
};

const skippedResult = (value: unknown) => !!value && typeof value === 'object' && (value as { skipped?: unknown }).skipped === true;

export function provisioningView(detail: RunDetail): Provisioning {
  const input = detail.input as { opportunityId: string };
  const reject = detail.state === 'completed' ? rejection(detail) : undefined;
  const status: Provisioning['status'] = reject
    ? 'rejected'
    : detail.state === 'completed'
      ? 'completed'
      : detail.state === 'failed' || detail.state === 'compensated' || detail.state === 'cancelled'
        ? 'failed'
        : 'in-progress';
  const result = resultsOf(detail);
  const client = result('ensure-client');
  const project = result('create-project');
  const staffing = result('request-staffing');
  const stages: Stage[] = STAGES.map((name) => {
    const s = detail.steps.find((x) => x.name === name);
    const last = s?.errors[s.errors.length - 1];
    const stageStatus: Stage['status'] = !s
      ? 'pending'
      : s.state === 'completed'
        ? skippedResult(s.result)
          ? 'skipped'
          : 'succeeded'
        : s.state === 'failed'
          ? 'failed'
          : s.state === 'running'
            ? 'running'
            : 'pending';
    return {
      name,
      status: stageStatus,
      ...(s?.finishedAt ? { finishedAt: s.finishedAt } : {}),
      ...(last && s?.state !== 'completed' ? { detail: `${last.name}: ${last.message}`.slice(0, 1000) } : {}),
    };
  });
  const failure = detail.error as { name?: string; message?: string } | null;
  return {
    opportunityId: input.opportunityId,
    runId: detail.id,
    status,
    ...(client && 'clientId' in client ? { clientId: client.clientId } : {}),
    ...(project && 'engagementId' in project ? { engagementId: project.engagementId } : {}),
    ...(project && 'code' in project && typeof project.code === 'string' ? { erpProjectCode: project.code } : {}),
    ...(staffing && 'staffingRequestIds' in staffing ? { staffingRequestIds: staffing.staffingRequestIds } : {}),
    stages,
    ...(reject ? { error: reject } : {}),
    ...(status === 'failed' && failure
      ? { error: { code: errorCode(failure.name ?? 'failed'), detail: (failure.message ?? 'Provisioning failed.').slice(0, 2000) } }
      : {}),
    updatedAt: detail.updatedAt,
  };
}

/** What the CRM experience shows besides the status: the project's name and budget. */
export function projectFacts(detail: RunDetail): { name?: string; budget?: { amountMinor: number; currency: string } } {
  const project = resultsOf(detail)('create-project');
  if (!project || !('name' in project)) return {};
  return { ...(project.name ? { name: project.name } : {}), ...(project.budget ? { budget: project.budget } : {}) };
}
