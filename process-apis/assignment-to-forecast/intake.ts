// Scheduling's allocation changes, as the inbox hands them over: each verified webhook (from a
// relay: Float sends none) and each polled change starts one forecast run, in the transaction
// that marks the message processed. Both are keyed by the change's own key (the allocation's
// state, or its deletion), so a redelivery, or the poll reading a change a webhook brought,
// starts nothing.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { InboxMessage } from '../../core/inbox/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { readAssignmentWebhook, type AssignmentWebhook } from '../../system-apis/scheduling/index.js';
import type { AssignmentToForecastApi } from './service.js';
import type { AssignmentRunInput } from './workflow.js';
import type { PolledAssignmentMessage } from './polling.js';

const CHANGES: Record<AssignmentWebhook['change'], AssignmentRunInput['change']> = {
  created: 'created',
  updated: 'changed',
  cancelled: 'cancelled',
};

/** Inbox handler for source `scheduling`; resolves true when it started a run. */
export function schedulingWebhookHandler(api: () => AssignmentToForecastApi, logger?: Logger) {
  return async (message: InboxMessage, { trx }: { trx: Transaction<Database> }): Promise<boolean> => {
    let hook: AssignmentWebhook;
    try {
      // The assignment's canonical id is linked in this transaction; reading the platform happens
      // in the run, outside it (on SQLite the inbox transaction holds the only writer).
      hook = await readAssignmentWebhook(trx, message.payload);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      logger?.warn({ webhookId: message.webhookId, err: String(err) }, 'scheduling webhook is not an allocation change; ignored');
      return false;
    }
    await api().startRunIn(
      trx,
      { assignmentId: hook.assignmentId, change: CHANGES[hook.change], webhook: message.payload },
      'event',
      `scheduling|${hook.changeKey}`,
    );
    return true;
  };
}

function isPolledChange(payload: unknown): payload is PolledAssignmentMessage {
  const p = payload as Partial<PolledAssignmentMessage> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.assignmentId === 'string' &&
    typeof p.changeKey === 'string' &&
    (p.change === 'created' || p.change === 'updated' || p.change === 'cancelled')
  );
}

/** Inbox handler for source `scheduling-poll` (recorded by the change feed); resolves true when it started a run. */
export function schedulingPollHandler(api: () => AssignmentToForecastApi, logger?: Logger) {
  return async (message: InboxMessage, { trx }: { trx: Transaction<Database> }): Promise<boolean> => {
    if (!isPolledChange(message.payload)) {
      logger?.warn({ messageId: message.webhookId }, 'polled scheduling change is not an assignment change; ignored');
      return false;
    }
    const { assignmentId, change, changeKey } = message.payload;
    await api().startRunIn(trx, { assignmentId, change: CHANGES[change] }, 'schedule', `scheduling|${changeKey}`);
    return true;
  };
}
