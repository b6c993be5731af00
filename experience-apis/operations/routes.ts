// Thin routes of the operations API: request -> read model or operator action -> response.
// The gateway has authenticated, checked ops:read / ops:write and validated the request
// against openapi/experience/operations.v1.yaml before any of these run.
import { pageLimit } from '../../core/paging.js';
import { Router, type Request } from 'express';
import { listAlerts, noAlertsPage } from '../../core/alerts/index.js';
import { queryAudit } from '../../core/audit/index.js';
import { listSubscriptions } from '../../core/events/index.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import { listRejections } from '../../core/inbox/index.js';
import { daysAgo, queryUsage } from '../../core/usage/index.js';
import type { Infra } from '../../core/api-module.js';
import type { LayerShape } from '../../core/observability/business-metrics.js';
import type { ReconciliationApi } from '../../process-apis/reconciliation/index.js';
import { operatorActions, subscriptionView, type Operator } from './actions.js';
import { listChangeFeeds, type LiveStream } from './change-feeds.js';
import { reconciliationRoutes } from './reconciliation-routes.js';
import { executiveFigures, trendList, type FiguresSource } from './figures.js';
import { getDeadLetterView, getRunView, listDeadLetterViews, listRunSummaries } from './read-model.js';
import { operationsSummary, type UnbilledWorkSource } from './summary.js';
import type { AuditPage, ChangeFeedList, DeadLetterStatus, LayerAlertPage, RejectedWebhook, RunState } from './types.js';

export const OPERATIONS_BASE = '/experience/operations/v1';

const text = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
const limit = (req: Request) => pageLimit(req.query.limit);
const operator = (req: Request): Operator => {
  const consumer = req.auth?.consumer ?? 'anonymous';
  const subject = req.auth?.subject;
  return { consumer, ...(subject && subject !== consumer ? { subject } : {}), correlationId: req.requestId };
};

/** What the operations API may call: the durable core's read models, and time-to-billing's unbilled work when it is wired. */
export interface OperationsCalls {
  infra: Infra;
  /** The layer's journeys and webhook sources, from the composition root. */
  shape: LayerShape;
  timeToBilling?: UnbilledWorkSource;
  /** Change streams this process subscribes to (the CRM's change events), for their connection state. */
  liveStreams?: readonly LiveStream[];
  /** Reconciliation exceptions, passes and the business views. */
  reconciliation: ReconciliationApi;
  /** The business figures' stored computations, for the executive page and the trends. */
  businessFigures?: FiguresSource;
}

export function operationsRoutes(calls: OperationsCalls): Router {
  const router = Router();
  const { infra, shape } = calls;
  const { journeys } = shape;
  const db = infra.store.db;
  const actions = operatorActions(infra, journeys);
  const idempotent = idempotencyFor(infra);

  router.get('/summary', async (req, res) => void res.json(await operationsSummary(calls, req.log)));

  const usageSince = (req: Request) => daysAgo((req.query.days === undefined ? 30 : Number(req.query.days)) - 1);
  router.get('/usage', async (req, res) => {
    const since = usageSince(req);
    res.json({ since, entries: await queryUsage(db, { since, contract: text(req, 'contract'), consumer: text(req, 'consumer') }) });
  });
  router.get('/deprecated-usage', async (req, res) => {
    const since = usageSince(req);
    res.json({ since, entries: await queryUsage(db, { since, deprecatedOnly: true }) });
  });

  router.get(
    '/runs',
    async (req, res) =>
      void res.json(
        await listRunSummaries(db, journeys, {
          journey: text(req, 'journey'),
          workflow: text(req, 'workflow'),
          state: text(req, 'state') as RunState | undefined,
          createdAfter: text(req, 'createdAfter'),
          createdBefore: text(req, 'createdBefore'),
          cursor: text(req, 'cursor'),
          limit: limit(req),
        }),
      ),
  );
  router.get('/runs/:runId', async (req, res) => void res.json(await getRunView(db, journeys, String(req.params.runId))));
  router.post('/runs/:runId/retry', idempotent, async (req, res) => {
    const run = await actions.retryRun(String(req.params.runId), operator(req));
    res.status(202).location(`${OPERATIONS_BASE}/runs/${run.id}`).json(run);
  });
  router.post('/runs/:runId/cancel', idempotent, async (req, res) => {
    const run = await actions.cancelRun(String(req.params.runId), operator(req));
    res.status(202).location(`${OPERATIONS_BASE}/runs/${run.id}`).json(run);
  });

  router.get(
    '/dead-letters',
    async (req, res) =>
      void res.json(
        await listDeadLetterViews(db, journeys, {
          journey: text(req, 'journey'),
          status: (text(req, 'status') ?? 'open') as DeadLetterStatus,
          cursor: text(req, 'cursor'),
          limit: limit(req),
        }),
      ),
  );
  router.get(
    '/dead-letters/:deadLetterId',
    async (req, res) => void res.json(await getDeadLetterView(db, journeys, Number(req.params.deadLetterId))),
  );
  router.post('/dead-letters/:deadLetterId/replay', idempotent, async (req, res) => {
    const result = await actions.replayDeadLetter(Number(req.params.deadLetterId), operator(req));
    res.status(202).location(`${OPERATIONS_BASE}/runs/${result.runId}`).json(result);
  });
  router.post(
    '/dead-letters/:deadLetterId/discard',
    idempotent,
    async (req, res) => void res.json(await actions.discardDeadLetter(Number(req.params.deadLetterId), req.body.reason, operator(req))),
  );

  router.get('/webhook-subscriptions', async (req, res) => {
    const state = text(req, 'state') as 'active' | 'disabled' | undefined;
    res.json({ items: (await listSubscriptions(db, state)).map(subscriptionView) });
  });
  router.post('/webhook-subscriptions', idempotent, async (req, res) => {
    const created = await actions.createSubscription(req.body, operator(req));
    res.status(201).location(`${OPERATIONS_BASE}/webhook-subscriptions/${created.id}`).json(created);
  });
  router.patch(
    '/webhook-subscriptions/:subscriptionId',
    idempotent,
    async (req, res) => void res.json(await actions.changeSubscription(String(req.params.subscriptionId), req.body, operator(req))),
  );
  router.post(
    '/event-replays',
    idempotent,
    async (req, res) => void res.status(202).json(await actions.replayEvents(req.body, operator(req))),
  );

  router.get('/rejected-webhooks', async (req, res) => {
    const rejections = await listRejections(db, { source: text(req, 'source'), limit: limit(req) });
    const items = rejections.map((r): RejectedWebhook => ({
      id: r.id,
      source: r.source,
      webhookId: r.webhookId,
      reason: r.reason,
      remoteAddress: r.remoteAddress,
      receivedAt: r.receivedAt.toISOString(),
    }));
    res.json({ items });
  });

  router.get('/change-feeds', async (_req, res) => {
    const body: ChangeFeedList = { items: await listChangeFeeds(db, calls.liveStreams) };
    res.json(body);
  });

  router.get('/alerts', async (req, res) => {
    // Rows left from a time the layer evaluated alerts are not shown: nothing updates them now.
    const evaluatedByLayer = infra.config.alerts.webhookUrl !== undefined;
    const query = { cursor: text(req, 'cursor'), limit: req.query.limit };
    const page = evaluatedByLayer ? await listAlerts(db, query) : noAlertsPage(query);
    const body: LayerAlertPage = { evaluatedByLayer, ...page };
    res.json(body);
  });

  router.get('/executive-figures', async (_req, res) => void res.json(await executiveFigures(calls.businessFigures)));
  router.get(
    '/trends',
    async (req, res) =>
      void res.json(
        await trendList(calls.businessFigures, {
          hours: req.query.hours === undefined ? 24 : Number(req.query.hours),
          figure: text(req, 'figure'),
        }),
      ),
  );

  router.get('/audit', async (req, res) => {
    const page = await queryAudit(db, {
      targetType: text(req, 'targetType'),
      targetId: text(req, 'targetId'),
      correlationId: text(req, 'correlationId'),
      cursor: text(req, 'cursor'),
      limit: limit(req),
    });
    const body: AuditPage = { items: page.items as AuditPage['items'], nextCursor: page.nextCursor };
    res.json(body);
  });

  router.use(reconciliationRoutes(infra, calls.reconciliation, OPERATIONS_BASE, operator));

  return router;
}
