// The operations API's reconciliation routes: the exceptions the passes found (list, one, repair,
// dismiss), the passes (list, one, start), the five business views, and who is signed in. Thin:
// each maps the request to the reconciliation journey's API and its answer to the contract's type.
import { Router, type Request } from 'express';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { Infra } from '../../core/api-module.js';
import type { ReconciliationApi } from '../../process-apis/reconciliation/index.js';
import type { Operator } from './actions.js';
import type {
  BusinessViewList,
  CurrentOperator,
  ExceptionDismissal,
  ReconciliationException,
  ReconciliationExceptionPage,
  ReconciliationPass,
  ReconciliationPassPage,
  ReconciliationPassRequest,
} from './types.js';

type Filters = Parameters<ReconciliationApi['listExceptions']>[0];
type PassView = Awaited<ReturnType<ReconciliationApi['getPass']>>;

/** A pass as the contract shapes it: each check's result without the tallies the command reports. */
const passBody = (pass: PassView): ReconciliationPass => ({
  ...pass,
  checks: pass.checks.map(({ check, journey, question, compared, found, durationMs, error }) => ({
    check,
    journey,
    question,
    compared,
    found,
    durationMs,
    error,
  })),
});

export function reconciliationRoutes(
  infra: Infra,
  reconciliation: ReconciliationApi,
  base: string,
  operator: (req: Request) => Operator,
): Router {
  const router = Router();
  const idempotent = idempotencyFor(infra);
  const text = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

  router.get('/reconciliation/exceptions', async (req, res) => {
    const body: ReconciliationExceptionPage = await reconciliation.listExceptions({
      question: text(req, 'question') as Filters['question'],
      journey: text(req, 'journey') as Filters['journey'],
      type: text(req, 'type'),
      status: text(req, 'status') as Filters['status'],
      cursor: text(req, 'cursor'),
      limit: req.query.limit,
    });
    res.json(body);
  });
  router.get('/reconciliation/exceptions/:exceptionId', async (req, res) => {
    const body: ReconciliationException = await reconciliation.getException(String(req.params.exceptionId));
    res.json(body);
  });
  router.post('/reconciliation/exceptions/:exceptionId/repair', idempotent, async (req, res) => {
    const body: ReconciliationException = await reconciliation.repairException(String(req.params.exceptionId), operator(req));
    res.status(202).json(body);
  });
  router.post('/reconciliation/exceptions/:exceptionId/dismiss', idempotent, async (req, res) => {
    const { reason } = req.body as ExceptionDismissal;
    const body: ReconciliationException = await reconciliation.dismissException(String(req.params.exceptionId), reason, operator(req));
    res.json(body);
  });

  router.get('/reconciliation/passes', async (req, res) => {
    const page = await reconciliation.listPasses({
      journey: text(req, 'journey') as Filters['journey'],
      cursor: text(req, 'cursor'),
      limit: req.query.limit,
    });
    const body: ReconciliationPassPage = { items: page.items.map(passBody), nextCursor: page.nextCursor };
    res.json(body);
  });
  router.post('/reconciliation/passes', idempotent, async (req, res) => {
    const request = req.body as ReconciliationPassRequest;
    const body = passBody(await reconciliation.startPass({ journey: request.journey, repair: request.repair }, operator(req)));
    res.status(202).location(`${base}/reconciliation/passes/${body.id}`).json(body);
  });
  router.get('/reconciliation/passes/:passId', async (req, res) => {
    res.json(passBody(await reconciliation.getPass(String(req.params.passId))));
  });

  router.get('/business-views', async (_req, res) => {
    const body: BusinessViewList = { items: await reconciliation.businessViews() };
    res.json(body);
  });
  router.get('/operator', (req, res) => {
    const auth = req.auth;
    const scopes = [...(auth?.scopes ?? [])].sort();
    const body: CurrentOperator = {
      consumer: auth?.consumer ?? 'anonymous',
      subject: auth?.subject && auth.subject !== auth.consumer ? auth.subject : null,
      scopes,
      canWrite: scopes.includes('ops:write'),
    };
    res.json(body);
  });
  return router;
}
