// Thin HTTP routes of the time-to-billing process API. The gateway has authenticated,
// checked scopes and validated the request against openapi/process/time-to-billing.v1.yaml.
import { pageLimit } from '../../core/paging.js';
import { Router, type Request } from 'express';
import type { Infra } from '../../core/api-module.js';
import { consumeOnce } from '../../core/events/index.js';
import { ProblemError } from '../../core/problems.js';
import { addRunRoutes, queryText as str } from '../kit/run-routes.js';
import type { TimeToBillingApi } from './service.js';

const BASE = '/process/time-to-billing/v1';
const limit = (req: Request) => pageLimit(req.query.limit);

/** The event that closes a billing period and asks for its invoices. */
export const PERIOD_CLOSED_EVENT = 'com.psconnect.billing.period-closed';

/** What the time-to-billing process API's routes may call: the infrastructure and the journey's own API. */
export interface TimeToBillingCalls {
  infra: Infra;
  timeToBilling: TimeToBillingApi;
}

export function timeToBillingRoutes({ infra, timeToBilling: billing }: TimeToBillingCalls): Router {
  const router = Router();

  addRunRoutes(router, {
    base: BASE,
    infra,
    runs: billing,
    start: (body) => billing.startRun(body, 'api'),
  });

  router.post('/events', async (req, res) => {
    const event = req.body as {
      id: string;
      source: string;
      type: string;
      data?: { periodStart?: string; periodEnd?: string; engagementId?: string };
    };
    // The run starts in the transaction that records the event: both or neither.
    const fresh = await consumeOnce(infra.store.db, 'process:time-to-billing', event, async (trx) => {
      if (event.type !== PERIOD_CLOSED_EVENT) return;
      const data = event.data;
      if (!data?.periodStart || !data.periodEnd) {
        throw new ProblemError('unprocessable-content', {
          detail: `${PERIOD_CLOSED_EVENT} needs data.periodStart and data.periodEnd.`,
          errors: [{ pointer: '/data', detail: 'periodStart and periodEnd required' }],
        });
      }
      await billing.startRunIn(
        trx,
        { periodStart: data.periodStart, periodEnd: data.periodEnd, ...(data.engagementId ? { engagementId: data.engagementId } : {}) },
        'event',
      );
    });
    res.status(202).json({ id: event.id, source: event.source, duplicate: !fresh });
  });

  router.get('/billing-holds', async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await billing.listBillingHolds({ engagementId: str(req, 'engagementId'), cursor: str(req, 'cursor'), limit: limit(req) }));
  });
  router.get('/unbilled-work', async (req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json(await billing.listUnbilledWork({ engagementId: str(req, 'engagementId'), cursor: str(req, 'cursor'), limit: limit(req) }));
  });
  return router;
}
