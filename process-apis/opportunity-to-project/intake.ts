// CRM change events into provisioning. The inbox handler runs inside the inbox transaction,
// so it only records an intake run (keyed by the webhook id); the run resolves the CRM's
// record ids, re-reads the opportunity (events may arrive late or out of order: only its
// current stage counts) and starts provisioning, which de-duplicates on the opportunity.
import type { Transaction } from 'kysely';
import type { InboxMessage } from '../../core/inbox/index.js';
import type { Logger } from '../../core/observability/logger.js';
import type { Database } from '../../core/store/schema.js';
import { workflow, type WorkflowDefinition, type WorkflowEngine } from '../../core/workflows/index.js';
import { readChangeEvent } from '../../system-apis/crm/index.js';
import { WaitingError } from '../../core/resilience/errors.js';
import type { CrmForProvisioning } from './ports.js';
import { PROVISIONING_JOURNEY } from './workflow.js';

export const INTAKE_WORKFLOW = 'opportunity-to-project.crm-change';

export interface IntakeInput {
  /** The CRM's record ids (change events) … */
  crmIds?: string[];
  /** … or canonical opportunity ids (business events). */
  opportunityIds?: string[];
  /** The inbound message's id, for tracing. */
  webhookId: string;
  /** When the CRM committed the change (RFC 3339): where the journey's sync latency starts. */
  changedAt?: string;
}

/** What the intake needs from the journey's own API. */
export interface ProvisioningControl {
  provision(opportunityId: string, changedAt?: string): Promise<unknown>;
  /** The latest provisioning's status and rejection pointers, or undefined when never started. */
  latest(opportunityId: string): Promise<{ status: string; pointers: string[] } | undefined>;
}

const UNFINISHED = new Set(['in-progress']);

export function intakeWorkflow(crm: CrmForProvisioning, control: () => ProvisioningControl): WorkflowDefinition<IntakeInput> {
  return workflow<IntakeInput>({
    name: INTAKE_WORKFLOW,
    // Part of its journey: operators filter and count a deal's intake with its provisioning.
    // Only the provisioning workflow's own failures count as failed provisioning (journeysOf).
    journey: PROVISIONING_JOURNEY,
    retry: { maxAttempts: 12, baseDelayMs: 250, maxDelayMs: 30_000 },
    // A platform's refusal fails the run at once with its reason; anything else is retried.
    refusals: 'permanent',
  })
    .step('start-provisioning', {
      platform: 'crm',
      async run({ input }) {
        const started: string[] = [];
        const ids = [...(input.opportunityIds ?? [])];
        for (const crmId of input.crmIds ?? []) ids.push(await crm.canonicalIdOf('opportunity', crmId));
        for (const opportunityId of ids) {
          const opportunity = await crm.getOpportunity(opportunityId);
          if (opportunity.stage !== 'closed-won') continue; // it left closed-won again before we looked
          await control().provision(opportunityId, input.changedAt);
          started.push(opportunityId);
        }
        return { opportunityIds: started };
      },
    })
    .step('settle-provisioning', {
      // The deal may flap (won, reopened, won again) while a run validates it: a run that
      // found it not won is rejected for its stage. Waiting for the run and starting again
      // when the deal is won by then makes sure the last closed-won change provisions.
      // Waiting is not the CRM failing: it must not open the CRM breaker, which would hold
      // back the provisioning runs' own CRM write-back, the very thing waited for.
      platform: 'crm',
      retry: { maxAttempts: 100_000, baseDelayMs: 500, maxDelayMs: 5_000 },
      async run({ input, results }) {
        const { opportunityIds } = results['start-provisioning'];
        for (const opportunityId of opportunityIds) {
          const latest = await control().latest(opportunityId);
          if (latest && UNFINISHED.has(latest.status))
            throw new WaitingError(`Provisioning of ${opportunityId} is still running.`, { retryAfterMs: 500 });
          if (
            latest?.status === 'rejected' &&
            latest.pointers.includes('/stage') &&
            (await crm.getOpportunity(opportunityId)).stage === 'closed-won'
          ) {
            // Still the change this intake carries: its commit starts the new run's sync latency.
            await control().provision(opportunityId, input.changedAt);
            throw new WaitingError(`Provisioning of ${opportunityId} started again: the deal is won now.`, { retryAfterMs: 500 });
          }
        }
        return { settled: opportunityIds };
      },
    })
    .build();
}

/** The inbox handler for the CRM source: closed-won changes start an intake run, the rest are ignored. */
export function crmChangeHandler(engine: () => WorkflowEngine, logger?: Logger) {
  return async (message: InboxMessage, { trx }: { trx: Transaction<Database> }): Promise<boolean> => {
    let change;
    try {
      change = readChangeEvent(message.payload);
    } catch (err) {
      logger?.warn({ webhookId: message.webhookId, err: String(err) }, 'CRM webhook is not a change event this journey reads; ignored');
      return false;
    }
    if (change.entity !== 'opportunity' || !change.closedWon) return false;
    await engine().startRun<IntakeInput>(
      INTAKE_WORKFLOW,
      { crmIds: change.crmIds, webhookId: message.webhookId, changedAt: change.committedAt },
      { runKey: `crm:${message.webhookId}`, db: trx },
    );
    return true;
  };
}
