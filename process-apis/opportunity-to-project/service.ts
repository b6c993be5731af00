// Opportunity-to-project as one typed in-process API: start (or find) the provisioning of an
// opportunity, wait a bounded time for it, read its status and runs, and take platform
// events. Routes and the CRM experience API call this; the workflows run in the shared engine.
import type { Kysely } from 'kysely';
import { consumeOnce } from '../../core/events/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { getRun, retryRun, type RunDetail, type WorkflowDefinition, type WorkflowEngine } from '../../core/workflows/index.js';
import { listRunViews, loadRun, type Run, type RunQuery } from '../kit/run-view.js';
import { accountProjects, type AccountProjects } from './account-projects.js';
import { crmChangeHandler, INTAKE_WORKFLOW, intakeWorkflow, type IntakeInput } from './intake.js';
import { OPPORTUNITY_RUNS, projectFacts, provisioningView, type Provisioning } from './provisioning-view.js';
import { PROVISION_WORKFLOW, provisioningWorkflow, type ProvisioningDeps, type ProvisionInput } from './workflow.js';

/** Event types on the process API's /events that start provisioning (data.opportunityId). */
export const CLOSED_WON_EVENTS = ['com.psconnect.crm.opportunity.closed-won'] as const;

export interface ProvisioningWithProject extends Provisioning {
  project?: { name?: string; budget?: { amountMinor: number; currency: string } };
}

export interface OpportunityToProjectApi {
  /** Starts provisioning, or returns the run that already provisions (or provisioned) it. */
  provision(opportunityId: string, trigger: ProvisionInput['trigger'], changedAt?: string): Promise<{ run: Run; created: boolean }>;
  /** The latest provisioning of the opportunity; 404 when it was never started. */
  getProvisioning(opportunityId: string): Promise<ProvisioningWithProject>;
  /** Waits up to `waitMs` for the provisioning to finish (completed, rejected or failed). */
  awaitProvisioning(opportunityId: string, waitMs: number): Promise<ProvisioningWithProject>;
  listRuns(query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }>;
  getRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<Run>;
  /** A CloudEvent posted to the process API; recorded once by source and id. */
  receiveEvent(event: { id: string; source: string; type: string; time: string; data?: unknown }): Promise<{ duplicate: boolean }>;
  /** The account's provisioned projects with their staffing state; 404 for an unknown account. */
  accountProjects(accountId: string): Promise<AccountProjects>;
  /** The inbox handler for CRM change events (mount under the `crm` webhook source). */
  onCrmChange: ReturnType<typeof crmChangeHandler>;
  /**
   * Provisions again a deal whose ERP project `missingEngagementId` ERP no longer has (an
   * operator's repair): a new generation of the run creates one project; when the latest run
   * already provisioned another project, that run is returned and nothing starts. 409 while
   * ERP still has the project.
   */
  reprovision(opportunityId: string, missingEngagementId: string): Promise<{ run: Run; created: boolean }>;
  /** Writes the provisioned ERP project's id onto the CRM opportunity again (idempotent: it sets a field). */
  writeBackProject(opportunityId: string): Promise<{ runId: string; erpProjectId: string }>;
}

export function opportunityToProjectWorkflows(deps: ProvisioningDeps, api: () => OpportunityToProjectApi): WorkflowDefinition<unknown>[] {
  return [
    provisioningWorkflow(deps) as WorkflowDefinition<unknown>,
    intakeWorkflow(deps.crm, () => ({
      provision: (opportunityId, changedAt) => api().provision(opportunityId, 'event', changedAt),
      async latest(opportunityId) {
        const p = await api()
          .getProvisioning(opportunityId)
          .catch((err: unknown) => {
            if (err instanceof ProblemError && err.status === 404) return undefined;
            throw err;
          });
        return p ? { status: p.status, pointers: (p.error?.errors ?? []).map((e) => e.pointer) } : undefined;
      },
    })) as WorkflowDefinition<unknown>,
  ];
}

const FINISHED = new Set(['completed', 'failed', 'compensated', 'cancelled']);
const POLL_MS = 100;

async function runsOf(db: Kysely<Database>, opportunityId: string) {
  return db
    .selectFrom('workflow_runs')
    .select(['id', 'run_key', 'state'])
    .where('definition', '=', PROVISION_WORKFLOW)
    .where((eb) => eb.or([eb('run_key', '=', opportunityId), eb('run_key', 'like', `${opportunityId}#%`)]))
    .orderBy('id', 'desc')
    .execute();
}

function isRejected(detail: RunDetail): boolean {
  return provisioningView(detail).status === 'rejected';
}

const isNotFound = (err: unknown) => err instanceof ProblemError && err.status === 404;

export function createOpportunityToProjectApi(deps: ProvisioningDeps & { engine: WorkflowEngine }): OpportunityToProjectApi {
  const db = deps.store.db;
  const withProject = (detail: RunDetail): ProvisioningWithProject => ({ ...provisioningView(detail), project: projectFacts(detail) });

  async function latest(opportunityId: string): Promise<RunDetail | undefined> {
    const [row] = await runsOf(db, opportunityId);
    return row ? getRun(db, row.id) : undefined;
  }

  const api: OpportunityToProjectApi = {
    async provision(opportunityId, trigger, changedAt) {
      await deps.crm.getOpportunity(opportunityId); // 404 for an opportunity the CRM does not have
      const runs = await runsOf(db, opportunityId);
      const current = runs[0] ? await getRun(db, runs[0].id) : undefined;
      if (current && !(current.state === 'completed' && isRejected(current))) {
        // One opportunity, one provisioning: a failed one resumes where it stopped.
        if (current.state === 'failed')
          await retryRun(db, current.id).catch((err: unknown) => {
            if (!(err instanceof ProblemError && err.status === 409)) throw err;
          });
        return { run: await loadRun(db, OPPORTUNITY_RUNS, current.id), created: false };
      }
      // Never started, or rejected for its terms: a new generation, keyed so that concurrent
      // starts of the same generation meet in one run.
      const runKey = runs.length === 0 ? opportunityId : `${opportunityId}#${runs.length + 1}`;
      // A CRM user's call is itself the event: its latency starts now.
      const eventAt = changedAt ?? (trigger === 'api' ? new Date().toISOString() : undefined);
      const input: ProvisionInput = { opportunityId, trigger, ...(eventAt ? { changedAt: eventAt } : {}) };
      const started = await deps.engine.startRun<ProvisionInput>(PROVISION_WORKFLOW, input, { runKey });
      return { run: await loadRun(db, OPPORTUNITY_RUNS, started.id), created: started.created };
    },

    async getProvisioning(opportunityId) {
      const detail = await latest(opportunityId);
      if (!detail) throw new ProblemError('not-found', { detail: `Provisioning was never started for opportunity ${opportunityId}.` });
      return withProject(detail);
    },

    async awaitProvisioning(opportunityId, waitMs) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const detail = await latest(opportunityId);
        if (!detail) throw new ProblemError('not-found', { detail: `Provisioning was never started for opportunity ${opportunityId}.` });
        if (FINISHED.has(detail.state) || Date.now() + POLL_MS > deadline) return withProject(detail);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },

    listRuns: (query) => listRunViews(db, OPPORTUNITY_RUNS, query),
    getRun: (runId) => loadRun(db, OPPORTUNITY_RUNS, runId),
    async retryRun(runId) {
      await loadRun(db, OPPORTUNITY_RUNS, runId);
      await retryRun(db, runId);
      return loadRun(db, OPPORTUNITY_RUNS, runId);
    },

    async receiveEvent(event) {
      const data = event.data as { opportunityId?: unknown } | undefined;
      const wanted = (CLOSED_WON_EVENTS as readonly string[]).includes(event.type);
      if (wanted && typeof data?.opportunityId !== 'string') {
        throw new ProblemError('unprocessable-content', {
          detail: `${event.type} needs data.opportunityId.`,
          errors: [{ pointer: '/data/opportunityId', detail: 'required' }],
        });
      }
      const fresh = await consumeOnce(db, 'process:opportunity-to-project', event, async (trx) => {
        if (!wanted) return;
        // The event's own time (required by the contract) starts the journey's sync latency.
        const input: IntakeInput = { opportunityIds: [data!.opportunityId as string], webhookId: event.id, changedAt: event.time };
        await deps.engine.startRun<IntakeInput>(INTAKE_WORKFLOW, input, { runKey: `event:${event.source}:${event.id}`, db: trx });
      });
      if (fresh && wanted) deps.engine.kick();
      return { duplicate: !fresh };
    },

    accountProjects: (accountId) => accountProjects({ db, crm: deps.crm, erp: deps.erp, scheduling: deps.scheduling }, accountId),

    onCrmChange: crmChangeHandler(() => deps.engine),

    async reprovision(opportunityId, missingEngagementId) {
      const runs = await runsOf(db, opportunityId);
      const current = runs[0] ? await getRun(db, runs[0].id) : undefined;
      const engagementId = current?.state === 'completed' ? provisioningView(current).engagementId : undefined;
      // Nothing provisioned (or not yet finished), or already provisioned again: the ordinary path.
      if (!current || engagementId !== missingEngagementId) return api.provision(opportunityId, 'replay');
      const stillThere = await deps.erp.getProject(missingEngagementId).then(
        () => true,
        (err: unknown) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
      if (stillThere)
        throw new ProblemError('conflict', {
          detail: `ERP still has project ${missingEngagementId} of opportunity ${opportunityId}: nothing to provision again.`,
        });
      // A new generation: create-project finds no project for the deal in ERP and creates one;
      // concurrent repairs compute the same key and meet in one run.
      const runKey = `${opportunityId}#${runs.length + 1}`;
      const input: ProvisionInput = { opportunityId, trigger: 'replay', replaces: missingEngagementId };
      const started = await deps.engine.startRun<ProvisionInput>(PROVISION_WORKFLOW, input, { runKey });
      return { run: await loadRun(db, OPPORTUNITY_RUNS, started.id), created: started.created };
    },

    async writeBackProject(opportunityId) {
      const detail = await latest(opportunityId);
      const provisioned = detail?.state === 'completed' ? provisioningView(detail) : undefined;
      if (!detail || !provisioned?.engagementId)
        throw new ProblemError('unprocessable-content', {
          detail: `Opportunity ${opportunityId} has no completed provisioning with an ERP project to write back.`,
        });
      // ERP's project as it is now (its code may have been set since), the id the write-back step sends.
      const project = await deps.erp.getProject(provisioned.engagementId);
      const erpProjectId = project.code ?? project.id;
      await deps.crm.setOpportunityErpProject(opportunityId, { projectId: erpProjectId, status: 'provisioned' });
      return { runId: detail.id, erpProjectId };
    },
  };
  return api;
}
