// The path that cannot miss for won deals: the CRM's opportunities read by modification time on
// a schedule and recorded into the inbox under source `crm-poll` (core/change-capture), so a
// deal won while the change stream was away (longer than the CDC retention, or before its first
// subscribe) still starts the same intake as a closed-won change event, once.
import type { Transaction } from 'kysely';
import type { ChangeFeed } from '../../core/change-capture/index.js';
import type { InboxMessage } from '../../core/inbox/index.js';
import type { Logger } from '../../core/observability/logger.js';
import type { Database } from '../../core/store/schema.js';
import type { WorkflowEngine } from '../../core/workflows/index.js';
import type { CrmSystemApi, OpportunityFeedPosition } from '../../system-apis/crm/index.js';
import { INTAKE_WORKFLOW, type IntakeInput } from './intake.js';

export const CRM_POLLED_SOURCE = 'crm-poll';
export const OPPORTUNITY_STREAM = 'crm:opportunities';

/** What the inbox keeps for one polled won deal. */
export interface PolledOpportunityMessage {
  crmId: string;
  changeKey: string;
}

export function opportunityChangeFeed(
  crm: Pick<CrmSystemApi, 'opportunityFeedStart' | 'opportunityChangesSince'>,
  options: { lookbackHours: number },
): ChangeFeed<OpportunityFeedPosition> {
  return {
    stream: OPPORTUNITY_STREAM,
    source: CRM_POLLED_SOURCE,
    // Not "now": a first start reads back as far as the change events are kept, so deals won
    // before the layer ever ran (or before its stream first subscribed) are provisioned too.
    initial: () => crm.opportunityFeedStart(options.lookbackHours * 3_600_000),
    async pull(from) {
      const page = await crm.opportunityChangesSince(from);
      return {
        // Only deals won now start anything; the others only move the cursor.
        changes: page.changes
          .filter((c) => c.won)
          .map((c) => ({
            id: c.changeKey,
            occurredAtMs: c.modifiedAtMs,
            payload: { crmId: c.crmId, changeKey: c.changeKey } satisfies PolledOpportunityMessage,
          })),
        next: page.next,
        more: page.more,
      };
    },
  };
}

function isPolledOpportunity(payload: unknown): payload is PolledOpportunityMessage {
  const p = payload as Partial<PolledOpportunityMessage> | null;
  return !!p && typeof p.crmId === 'string' && typeof p.changeKey === 'string';
}

/**
 * Inbox handler for source `crm-poll`: starts the intake a closed-won change event starts. The
 * intake re-reads the deal and provisioning de-duplicates on the opportunity, so a deal the
 * stream also delivered provisions once.
 */
export function crmPollHandler(engine: () => WorkflowEngine, logger?: Logger) {
  return async (message: InboxMessage, { trx }: { trx: Transaction<Database> }): Promise<boolean> => {
    if (!isPolledOpportunity(message.payload)) {
      logger?.warn({ messageId: message.webhookId }, 'polled CRM change is not an opportunity change; ignored');
      return false;
    }
    await engine().startRun<IntakeInput>(
      INTAKE_WORKFLOW,
      // The inbox keeps a polled change's modification stamp as its sent time (whole seconds, as the CRM stamps).
      { crmIds: [message.payload.crmId], webhookId: message.webhookId, changedAt: message.sentAt.toISOString() },
      { runKey: `crm-poll:${message.payload.changeKey}`, db: trx },
    );
    return true;
  };
}
