// Scheduling's allocation webhooks, as the inbox hands them over: each verified, recorded
// task.created / task.updated / task.deleted starts one forecast run, in the transaction that
// marks the message processed, keyed by its webhook id so that a redelivery starts nothing.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { InboxMessage } from '../../core/inbox/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Database } from '../../core/store/schema.js';
import { readAssignmentWebhook, type AssignmentWebhook } from '../../system-apis/scheduling/index.js';
import type { AssignmentToForecastApi } from './service.js';
import type { AssignmentRunInput } from './workflow.js';

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
      `scheduling|${message.webhookId}`,
    );
    return true;
  };
}
