// The opportunity-to-project workflow: named, checkpointed steps, each idempotent toward its
// platform. Invalid terms end the run early with a `rejected` outcome (later steps skip),
// not a failure: there is nothing to retry until the CRM user fixes the deal.
import { ProblemError, type FieldError } from '../../core/problems.js';
import { PermanentError } from '../../core/resilience/errors.js';
import type { RegionalRules } from '../../core/regional/rules.js';
import type { Store } from '../../core/store/index.js';
import { workflow, type Persisted, type StepContext, type StepResults } from '../../core/workflows/index.js';
import type { Engagement } from '../../system-apis/erp/canonical.js';
import { emitOnce } from '../kit/business-events.js';
import { validateContractTerms, type ValidTerms } from './contract-terms.js';
import { linkClients } from '../kit/client-links.js';
import { allPages, MASTER_DATA_MAX_PAGES } from '../kit/all-pages.js';
import { type CrmForProvisioning, type ErpForProvisioning, type SchedulingForProvisioning, type TimeForProvisioning } from './ports.js';
import { findRateCard, toBillingRateCard } from './rate-cards.js';
import { LEAD_ROLE, leadEffortMinutes, projectFromTemplate } from './template.js';

/** The journey, as metrics and the operations view label its runs. */
export const PROVISIONING_JOURNEY = 'opportunity-to-project';
export const PROVISION_WORKFLOW = 'opportunity-to-project';
export const EVENT_SOURCE = '/process/opportunity-to-project';
export const PROVISIONED_EVENT = 'com.psconnect.engagement.provisioned';
export const REJECTED_EVENT = 'com.psconnect.engagement.provisioning-rejected';

export interface ProvisionInput {
  opportunityId: string;
  trigger: 'api' | 'event' | 'replay';
  /**
   * Set when an operator provisions the deal again because ERP no longer has its project (this
   * engagement id): the new project gets a staffing request of its own, under a reference that
   * names it, since the reference of the deal is taken by the lost project's request.
   */
  replaces?: string;
  /** When the deal was won on the CRM (the change's commit, or the CRM user's call), RFC 3339; absent for replays. */
  changedAt?: string;
}

export interface ProvisioningDeps {
  store: Store;
  crm: CrmForProvisioning;
  erp: ErpForProvisioning;
  scheduling: SchedulingForProvisioning;
  time: TimeForProvisioning;
  rules: RegionalRules;
}

export type TermsOutcome =
  | {
      ok: true;
      opportunityName: string;
      crmClientId: string;
      client: ClientFacts;
      terms: ValidTerms;
      rateCardId: string;
      leadEffortMinutes: number;
    }
  | { ok: false; errors: FieldError[] };

interface ClientFacts {
  name: string;
  billingCountry: string;
  defaultCurrency: string | null;
  taxId: string | null;
  domain: string | null;
}

/** What every step after the first reads: the terms as validated. */
type AfterValidation = StepContext<ProvisionInput, { readonly 'validate-terms': Persisted<TermsOutcome> }>;
const terms = (ctx: AfterValidation) => ctx.results['validate-terms'];
const valid = (ctx: AfterValidation) => {
  const t = terms(ctx);
  return t.ok ? t : undefined;
};
const SKIPPED = { skipped: true } as const;
type Skipped = typeof SKIPPED;
const isSkipped = (result: object): result is Skipped => 'skipped' in result;
/** An earlier step's result once the terms are valid: every step ran then, so a skip is a defect, not a retry. */
function ran<T extends object>(result: T | Skipped): T {
  if (isSkipped(result)) throw new PermanentError('An earlier step was skipped although the contract terms are valid.');
  return result;
}
/** The Time platform's project code format (openapi/system/time.v1.yaml); other ERP codes are left off. */
const TIME_PROJECT_CODE = /^(?=.{1,32}$)[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$/;

async function validateTerms(deps: ProvisioningDeps, ctx: StepContext<ProvisionInput>): Promise<TermsOutcome> {
  const opportunity = await deps.crm.getOpportunity(ctx.input.opportunityId);
  const client = opportunity.clientId ? await deps.crm.getClient(opportunity.clientId) : undefined;
  const [entities, cards] = await Promise.all([
    allPages((cursor) => deps.erp.listLegalEntities({ cursor, limit: 200 }), MASTER_DATA_MAX_PAGES),
    allPages((cursor) => deps.erp.listRateCards({ cursor, limit: 200 }), MASTER_DATA_MAX_PAGES),
  ]);
  const found = opportunity.contractTerms.rateCardCode ? findRateCard(opportunity.contractTerms.rateCardCode, cards, entities) : undefined;
  const result = validateContractTerms(
    {
      id: opportunity.id,
      clientId: opportunity.clientId,
      stage: opportunity.stage,
      amount: opportunity.amount,
      contractTerms: opportunity.contractTerms,
    },
    {
      rules: deps.rules,
      clientBillingCountry: client?.billingCountry ?? null,
      findRateCard: () => (found ? toBillingRateCard(found) : undefined),
      requestedRoles: [LEAD_ROLE],
    },
  );
  const errors = result.ok ? [] : [...result.errors];
  if (client && !client.domain && !client.taxId) {
    errors.push({
      pointer: '/client/domain',
      detail: `Account "${client.name}" has neither a website nor a tax id: add one so the client is matched in ERP and never created twice.`,
    });
  }
  if (client && result.ok && client.defaultCurrency && client.defaultCurrency !== result.terms.currency) {
    errors.push({
      pointer: '/amount/currency',
      detail: `The deal is in ${result.terms.currency} but account "${client.name}" is billed in ${client.defaultCurrency}.`,
    });
  }
  if (client && !client.billingCountry)
    errors.push({ pointer: '/client/billingCountry', detail: `Set the billing country of account "${client.name}".` });
  if (!result.ok || errors.length > 0 || !client || !found || !client.billingCountry) return { ok: false, errors };
  return {
    ok: true,
    opportunityName: opportunity.name,
    crmClientId: client.id,
    client: {
      name: client.name,
      billingCountry: client.billingCountry,
      defaultCurrency: client.defaultCurrency,
      taxId: client.taxId,
      domain: client.domain,
    },
    terms: result.terms,
    rateCardId: found.id,
    leadEffortMinutes: leadEffortMinutes(result.terms, result.terms.rateCard),
  };
}

/** The reference of the journey's staffing request for a role on a won deal. */
export function staffingReference(opportunityId: string, role: string): string {
  return `${PROVISION_WORKFLOW}:${opportunityId}:${role}`;
}

/** The opportunity's project if ERP already has one: how a retry after a lost answer finds it. */
async function existingProject(erp: ErpForProvisioning, clientId: string, opportunityId: string): Promise<Engagement | undefined> {
  const projects = await allPages((cursor) => erp.listProjects({ cursor, limit: 200, clientId }), MASTER_DATA_MAX_PAGES);
  return projects.filter((p) => p.opportunityId === opportunityId).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
}

/** What each provisioning step returned, by step name (for views of its runs). */
export type ProvisioningResults = StepResults<ReturnType<typeof provisioningWorkflow>>;

export function provisioningWorkflow(deps: ProvisioningDeps) {
  return workflow<ProvisionInput>({
    name: PROVISION_WORKFLOW,
    journey: PROVISIONING_JOURNEY,
    retry: { maxAttempts: 12, baseDelayMs: 250, maxDelayMs: 30_000 },
    // A platform's refusal fails the run at once with its reason; anything else is retried.
    refusals: 'permanent',
  })
    .step('validate-terms', { run: (ctx) => validateTerms(deps, ctx) })
    .step('map-legal-entity', {
      platform: 'erp',
      async run(ctx) {
        const t = valid(ctx);
        if (!t) return SKIPPED;
        const country = deps.rules.entity(t.terms.legalEntityCode).country;
        const entities = await allPages((cursor) => deps.erp.listLegalEntities({ cursor, limit: 200 }), MASTER_DATA_MAX_PAGES);
        const entity = entities.find((e) => e.status === 'active' && e.country.toUpperCase() === country);
        if (!entity) throw new PermanentError(`ERP has no active legal entity in ${country} for ${t.terms.legalEntityCode}.`);
        return { legalEntityId: entity.id, code: t.terms.legalEntityCode };
      },
    })
    .step('ensure-client', {
      platform: 'erp',
      async run(ctx) {
        const t = valid(ctx);
        if (!t) return SKIPPED;
        const { legalEntityId } = ran(ctx.results['map-legal-entity']);
        const { client, matched } = await deps.erp.findOrCreateClient({
          name: t.client.name,
          billingCountry: t.client.billingCountry,
          defaultCurrency: t.terms.currency,
          legalEntityId,
          ...(t.client.taxId ? { taxId: t.client.taxId } : {}),
          ...(t.client.domain ? { domain: t.client.domain } : {}),
        });
        await linkClients(deps.store.db, t.crmClientId, client.id);
        return { clientId: client.id, matched };
      },
    })
    .step('create-project', {
      platform: 'erp',
      async run(ctx) {
        const t = valid(ctx);
        if (!t) return SKIPPED;
        const { legalEntityId } = ran(ctx.results['map-legal-entity']);
        const { clientId } = ran(ctx.results['ensure-client']);
        const opportunityId = ctx.input.opportunityId;
        const project =
          (await existingProject(deps.erp, clientId, opportunityId)) ??
          (await deps.erp.createProject(
            projectFromTemplate({
              opportunityId,
              name: t.opportunityName.slice(0, 200),
              clientId,
              legalEntityId,
              rateCardId: t.rateCardId,
              terms: t.terms,
            }),
          ));
        return { engagementId: project.id, code: project.code ?? null, name: project.name, budget: project.budget ?? t.terms.budget };
      },
    })
    .step('open-time-project', {
      // Consultants log time against the Time project; PUT by engagement id is idempotent
      // (created once, updated after), so a retry or a resumed run opens nothing twice.
      platform: 'time',
      async run(ctx) {
        const t = valid(ctx);
        if (!t) return SKIPPED;
        const project = ran(ctx.results['create-project']);
        const open = () =>
          deps.time.putProject(project.engagementId, {
            name: project.name,
            ...(project.code && TIME_PROJECT_CODE.test(project.code) ? { code: project.code } : {}),
            clientName: t.client.name,
            currency: t.terms.currency,
            billable: true,
          });
        const { project: opened, created } = await open().catch((err: unknown) => {
          // Two deals of one account provisioned at once both create its Time client; the
          // platform refuses the second by name, and a second try finds the client.
          if (err instanceof ProblemError && err.status === 422) return open();
          throw err;
        });
        return { engagementId: opened.engagementId, created };
      },
    })
    .step('request-staffing', {
      platform: 'scheduling',
      async run(ctx) {
        const t = valid(ctx);
        if (!t) return SKIPPED;
        const project = ran(ctx.results['create-project']);
        // No budget: the scheduling platform holds amounts in its one account currency.
        await deps.scheduling.putProject(project.engagementId, { name: project.name, billable: true });
        // One lead request per won deal: the reference names the deal and the role, the same on
        // every attempt, after a takeover and in a later run for the deal, so a create whose
        // answer was lost is found (on the platform if need be) instead of made twice.
        const { request } = await deps.scheduling.createStaffingRequest({
          engagementId: project.engagementId,
          role: LEAD_ROLE,
          startDate: t.terms.startDate,
          endDate: t.terms.endDate,
          effortMinutes: t.leadEffortMinutes,
          notes: `Lead ${LEAD_ROLE} for ${project.name}`.slice(0, 500),
          externalReference: ctx.input.replaces
            ? `${staffingReference(ctx.input.opportunityId, LEAD_ROLE)}:${project.engagementId}`
            : staffingReference(ctx.input.opportunityId, LEAD_ROLE),
        });
        return { staffingRequestIds: [request.id] };
      },
    })
    .step('write-back-to-crm', {
      platform: 'crm',
      async run(ctx) {
        const outcome = terms(ctx);
        const opportunityId = ctx.input.opportunityId;
        if (!outcome.ok) {
          await emitOnce(deps.store.db, {
            id: `${ctx.runId}:rejected`,
            type: REJECTED_EVENT,
            source: EVENT_SOURCE,
            subject: opportunityId,
            data: { opportunityId, runId: ctx.runId, errors: outcome.errors },
          });
          return SKIPPED;
        }
        const project = ran(ctx.results['create-project']);
        const staffing = ran(ctx.results['request-staffing']);
        await deps.crm.setOpportunityErpProject(opportunityId, {
          projectId: project.code ?? project.engagementId,
          status: 'provisioned',
        });
        const { clientId } = ran(ctx.results['ensure-client']);
        await emitOnce(deps.store.db, {
          id: `${ctx.runId}:provisioned`,
          type: PROVISIONED_EVENT,
          source: EVENT_SOURCE,
          subject: project.engagementId,
          data: {
            opportunityId,
            engagementId: project.engagementId,
            erpProjectCode: project.code,
            clientId,
            staffingRequestIds: staffing.staffingRequestIds,
            runId: ctx.runId,
          },
        });
        return { erpProjectId: project.code ?? project.engagementId };
      },
    })
    .build({
      // A deal whose terms were refused (not won any more, no rate card, …) completed nothing:
      // operators see it as refused, with the CRM's reasons, not as a provisioned project.
      outcome: (results) => {
        const terms = results['validate-terms'];
        if (terms.ok) return undefined;
        const reasons = terms.errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ');
        return { outcome: 'refused', reason: reasons || 'The deal is not ready to provision.' };
      },
      // The project exists in ERP and its id is on the CRM deal: latency from the win.
      sourceEventAt: (_results, input) => (input.changedAt ? Date.parse(input.changedAt) : undefined),
    });
}
