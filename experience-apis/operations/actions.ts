// Operator actions: each calls the core module that owns the change and records it in the
// audit trail with the operator (the token's consumer) and the request id as correlation id.
// Where the core function accepts a transaction, the change and its audit entry commit together.
import { recordAudit } from '../../core/audit/index.js';
import {
  createSubscription,
  getSubscription,
  replayEvents,
  setSubscriptionState,
  typeMatcher,
  type WebhookSubscription as CoreSubscription,
} from '../../core/events/index.js';
import { ProblemError } from '../../core/problems.js';
import type { Infra } from '../../core/api-module.js';
import { withTransaction } from '../../core/store/index.js';
import { cancelRun, discardDeadLetter, replayDeadLetter, retryRun, type Journeys } from '../../core/workflows/index.js';
import { getDeadLetterView, getRunView } from './read-model.js';
import type {
  CreatedWebhookSubscription,
  DeadLetter,
  EventReplayRequest,
  EventReplayResult,
  NewWebhookSubscription,
  ReplayResult,
  RunDetail,
  WebhookSubscription,
  WebhookSubscriptionChange,
} from './types.js';

/** Who acts and under which correlation id: `req.auth.consumer`, the person's `sub`, and `req.requestId`. */
export interface Operator {
  consumer: string;
  /** The operator in person; absent for a machine token (whose `sub` is the client itself). */
  subject?: string;
  correlationId: string;
}

type Deps = Pick<Infra, 'store' | 'config'>;

export function subscriptionView(s: CoreSubscription): WebhookSubscription {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.eventTypes,
    state: s.state,
    ...(s.disabledReason ? { disabledReason: s.disabledReason } : {}),
    createdAt: s.createdAt.toISOString(),
  };
}

export function operatorActions({ store, config }: Deps, journeys: Journeys) {
  const db = store.db;
  const audit = (by: Operator, action: string, targetType: string, targetId: string, details?: Record<string, unknown>, executor = db) =>
    recordAudit(executor, {
      consumer: by.consumer,
      ...(by.subject ? { subject: by.subject } : {}),
      correlationId: by.correlationId,
      action,
      targetType,
      targetId,
      ...(details ? { details } : {}),
    });

  return {
    /** Resume a failed run. The core's retry runs its own transaction, so the audit entry follows it. */
    async retryRun(runId: string, by: Operator): Promise<RunDetail> {
      const before = await getRunView(db, journeys, runId);
      await retryRun(db, runId);
      await audit(by, 'workflow.run.retried', 'workflow-run', runId, {
        workflow: before.workflow,
        fromState: before.state,
        step: before.currentStep,
      });
      return getRunView(db, journeys, runId);
    },

    async cancelRun(runId: string, by: Operator): Promise<RunDetail> {
      await withTransaction(store, async (trx) => {
        const run = await trx.selectFrom('workflow_runs').select(['definition', 'state']).where('id', '=', runId).executeTakeFirst();
        await cancelRun(trx, runId);
        await audit(by, 'workflow.run.cancel-requested', 'workflow-run', runId, { workflow: run?.definition, fromState: run?.state }, trx);
      });
      return getRunView(db, journeys, runId);
    },

    async replayDeadLetter(deadLetterId: number, by: Operator): Promise<ReplayResult> {
      const runId = await replayDeadLetter(db, deadLetterId);
      await audit(by, 'workflow.dead-letter.replayed', 'workflow-dead-letter', String(deadLetterId), { runId });
      return { deadLetter: await getDeadLetterView(db, journeys, deadLetterId), runId };
    },

    async discardDeadLetter(deadLetterId: number, reason: string, by: Operator): Promise<DeadLetter> {
      // The core's conditional update refuses a letter that is no longer open (a concurrent
      // replay or discard) as a conflict; the audit entry commits with it or not at all.
      await withTransaction(store, async (trx) => {
        await discardDeadLetter(trx, deadLetterId, { reason, by: by.consumer, correlationId: by.correlationId });
        await audit(by, 'workflow.dead-letter.discarded', 'workflow-dead-letter', String(deadLetterId), { reason }, trx);
      });
      return getDeadLetterView(db, journeys, deadLetterId);
    },

    async createSubscription(input: NewWebhookSubscription, by: Operator): Promise<CreatedWebhookSubscription> {
      // Not in one transaction with its audit entry: creating resolves the URL's addresses (the
      // SSRF check), and on SQLite an open transaction would hold the one connection meanwhile.
      const created = await createSubscription(
        db,
        { url: input.url, eventTypes: input.eventTypes },
        { allowPrivateUrls: config.store.webhookAllowPrivateUrls, requireHttps: config.runtime.nodeEnv === 'production' },
      );
      // The secret is answered once and never written to the audit trail.
      await audit(by, 'webhook-subscription.created', 'webhook-subscription', created.id, {
        url: created.url,
        eventTypes: created.eventTypes,
      });
      return { ...subscriptionView(created), secret: created.secret };
    },

    async changeSubscription(id: string, change: WebhookSubscriptionChange, by: Operator): Promise<WebhookSubscription> {
      await withTransaction(store, async (trx) => {
        await setSubscriptionState(trx, id, change.state, change.reason ?? null);
        await audit(
          by,
          change.state === 'disabled' ? 'webhook-subscription.disabled' : 'webhook-subscription.enabled',
          'webhook-subscription',
          id,
          change.reason ? { reason: change.reason } : undefined,
          trx,
        );
      });
      return subscriptionView(await getSubscription(db, id));
    },

    /**
     * Re-deliver to one webhook subscription. Narrowing types must stay within what the
     * subscription wants: a replay never sends a receiver events it did not subscribe to.
     */
    async replayEvents(request: EventReplayRequest, by: Operator): Promise<EventReplayResult> {
      const subscriptionId = request.subscriber.slice('webhook:'.length);
      const subscription = await getSubscription(db, subscriptionId);
      const own = typeMatcher(subscription.eventTypes);
      const outside = (request.eventTypes ?? []).filter((t) => !(subscription.eventTypes.includes(t) || (!t.endsWith('*') && own(t))));
      if (outside.length > 0) {
        throw new ProblemError('unprocessable-content', {
          detail: `The subscription does not receive ${outside.join(', ')}.`,
          errors: outside.map(() => ({
            pointer: '/eventTypes',
            detail: "must be one of the subscription's own types or a type they match",
          })),
        });
      }
      const since = new Date(request.since);
      const patterns = request.eventTypes ?? subscription.eventTypes;
      const scheduled = await replayEvents(db, request.subscriber, since, patterns);
      await audit(by, 'events.replayed', 'webhook-subscription', subscriptionId, {
        since: since.toISOString(),
        eventTypes: patterns,
        scheduled,
      });
      return { subscriber: request.subscriber, since: since.toISOString(), scheduled };
    },
  };
}

export type OperatorActions = ReturnType<typeof operatorActions>;
