// Thin HTTP routes of the billing-status-to-crm process API, validated by the gateway
// against openapi/process/billing-status-to-crm.v1.yaml.
import { Router } from 'express';
import type { Infra } from '../../core/api-module.js';
import { addRunRoutes } from '../kit/run-routes.js';
import type { BillingStatusToCrmApi } from './service.js';

const BASE = '/process/billing-status-to-crm/v1';

/** What the billing-status-to-crm process API's routes may call: the infrastructure and the journey's own API. */
export interface BillingStatusToCrmCalls {
  infra: Infra;
  billingStatusToCrm: BillingStatusToCrmApi;
}

export function billingStatusToCrmRoutes({ infra, billingStatusToCrm: journey }: BillingStatusToCrmCalls): Router {
  const router = Router();
  addRunRoutes(router, {
    base: BASE,
    infra,
    runs: journey,
    start: (body) => journey.startRun((body as { invoiceId: string }).invoiceId, 'api'),
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
