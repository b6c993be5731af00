// Thin HTTP routes of the billing-status-to-crm process API, validated by the gateway
// against openapi/process/billing-status-to-crm.v1.yaml.
import { Router, type Request } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { RunStatus } from '../kit/run-view.js';
import type { BillingStatusToCrmApi } from './service.js';

const BASE = '/process/billing-status-to-crm/v1';
const str = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/** What the billing-status-to-crm process API's routes may call: the infrastructure and the journey's own API. */
export interface BillingStatusToCrmCalls {
  infra: Infra;
  billingStatusToCrm: BillingStatusToCrmApi;
}

export function billingStatusToCrmRoutes({ infra, billingStatusToCrm: journey }: BillingStatusToCrmCalls): Router {
  const router = Router();
  router.post('/runs', idempotencyFor(infra), async (req, res) => {
    const { run, created } = await journey.startRun((req.body as { invoiceId: string }).invoiceId, 'api');
    res
      .status(created ? 202 : 200)
      .location(`${BASE}/runs/${run.id}`)
      .json(run);
  });
  router.get('/runs', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(
      await journey.listRuns({
        status: str(req, 'status') as RunStatus | undefined,
        subject: str(req, 'subject'),
        createdAfter: str(req, 'createdAfter'),
        createdBefore: str(req, 'createdBefore'),
        cursor: str(req, 'cursor'),
        limit: req.query.limit === undefined ? 50 : Number(req.query.limit),
      }),
    );
  });
  router.get(
    '/runs/:runId',
    async (req, res) => void res.set('Cache-Control', 'no-store').json(await journey.getRun(String(req.params.runId))),
  );
  router.post('/runs/:runId/retry', idempotencyFor(infra), async (req, res) => {
    const run = await journey.retryRun(String(req.params.runId));
    res.status(202).location(`${BASE}/runs/${run.id}`).json(run);
  });
  router.post('/events', async (req, res) => {
    const event = req.body as { id: string; source: string; type: string; data?: unknown };
    const { duplicate } = await journey.receiveEvent(event);
    res.status(202).json({ id: event.id, source: event.source, duplicate });
  });
  router.get('/accounts/:clientId/billing-status', async (req, res) => {
    const {
      openInvoiceCount: _o,
      overdueInvoiceCount: _d,
      daysSalesOutstanding: _s,
      ...status
    } = await journey.getAccountBillingStatus(String(req.params.clientId));
    res.set('Cache-Control', 'no-store').json(status);
  });
  return router;
}
