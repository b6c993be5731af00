// Scheduling's allocation webhooks, as the inbox hands them over: each verified, recorded
// task.created / task.updated / task.deleted starts one forecast run, in the transaction that
// marks the message processed, keyed by its webhook id so that a redelivery starts nothing.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { InboxMessage } from '../../core/inbox/index.js';
import type { Database } from '../../core/store/schema.js';
import { SchedulingIds } from '../../system-apis/scheduling/ids.js';
import { changeOf, parseTaskWebhook } from '../../system-apis/scheduling/webhooks.js';
import type { AssignmentToForecastApi } from './service.js';
import type { AssignmentRunInput } from './workflow.js';

const CHANGES: Record<ReturnType<typeof changeOf>, AssignmentRunInput['change']> = {
  created: 'created',
  updated: 'changed',
  cancelled: 'cancelled',
};

/** Inbox handler for source `scheduling`; resolves true when it started a run. */
export function schedulingWebhookHandler(api: () => AssignmentToForecastApi, logger?: Logger) {
  return async (message: InboxMessage, { trx }: { trx: Transaction<Database> }): Promise<boolean> => {
    let hook;
    try {
      hook = parseTaskWebhook(message.payload);
    } catch (err) {
      logger?.warn({ webhookId: message.webhookId, err: String(err) }, 'scheduling webhook is not an allocation change; ignored');
      return false;
    }
    // The task's canonical id is linked in this transaction; reading the platform happens in
    // the run, outside it (on SQLite the inbox transaction holds the only writer).
    const assignmentId = await new SchedulingIds(trx).canonical('assignment', hook.data.task_id);
    await api().startRunIn(
      trx,
      { assignmentId, change: CHANGES[changeOf(hook.event)], webhook: message.payload },
      'event',
      `scheduling|${message.webhookId}`,
    );
    return true;
  };
}
