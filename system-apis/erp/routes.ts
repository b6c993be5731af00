// Thin HTTP routes of the ERP system API: request -> service -> response. The gateway has
// already authenticated, checked scopes and validated the request against the contract.
import { Router, type Request, type Response } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { ErpSystemApi } from './service.js';
import type { InvoiceStatus, MilestoneBillingStatus, MilestoneStatus } from './canonical.js';

const BASE = '/system/erp/v1';

function created(res: Response, path: string, body: { id: string }): void {
  res.status(201).location(`${BASE}/${path}/${body.id}`).json(body);
}

const param = (req: Request, name: string) => String(req.params[name]);
const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
const paging = (req: Request) => ({
  cursor: query(req, 'cursor'),
  limit: req.query.limit === undefined ? undefined : Number(req.query.limit),
});

/** What the ERP system API's routes may call: the infrastructure and the ERP system API. */
export interface ErpSystemCalls {
  infra: Infra;
  erp: ErpSystemApi;
}

export function erpRoutes({ infra, erp }: ErpSystemCalls): Router {
  const router = Router();
  const idempotent = idempotencyFor(infra);

  router.get('/legal-entities', async (req, res) => void res.json(await erp.listLegalEntities(paging(req))));
  router.get('/legal-entities/:legalEntityId', async (req, res) => void res.json(await erp.getLegalEntity(param(req, 'legalEntityId'))));

  router.get(
    '/rate-cards',
    async (req, res) => void res.json(await erp.listRateCards({ ...paging(req), legalEntityId: query(req, 'legalEntityId') })),
  );
  router.get('/rate-cards/:rateCardId', async (req, res) => void res.json(await erp.getRateCard(param(req, 'rateCardId'))));

  router.get(
    '/clients',
    async (req, res) => void res.json(await erp.listClients({ ...paging(req), legalEntityId: query(req, 'legalEntityId') })),
  );
  router.post('/clients', idempotent, async (req, res) => {
    const result = await erp.findOrCreateClient(req.body);
    if (result.matched) res.json(result);
    else res.status(201).location(`${BASE}/clients/${result.client.id}`).json(result);
  });
  router.get('/clients/:clientId', async (req, res) => void res.json(await erp.getClient(param(req, 'clientId'))));
  router.patch(
    '/clients/:clientId',
    idempotent,
    async (req, res) => void res.json(await erp.updateClient(param(req, 'clientId'), req.body)),
  );

  router.get('/projects', async (req, res) => void res.json(await erp.listProjects({ ...paging(req), clientId: query(req, 'clientId') })));
  router.post('/projects', idempotent, async (req, res) => created(res, 'projects', await erp.createProject(req.body)));
  router.get('/projects/:projectId', async (req, res) => void res.json(await erp.getProject(param(req, 'projectId'))));
  router.patch(
    '/projects/:projectId',
    idempotent,
    async (req, res) => void res.json(await erp.updateProject(param(req, 'projectId'), req.body)),
  );

  router.get(
    '/invoices',
    async (req, res) =>
      void res.json(
        await erp.listInvoices({
          ...paging(req),
          clientId: query(req, 'clientId'),
          engagementId: query(req, 'engagementId'),
          status: query(req, 'status') as InvoiceStatus | undefined,
        }),
      ),
  );
  router.post('/invoices', idempotent, async (req, res) => {
    const result = await erp.findOrCreateInvoice(req.body);
    if (result.created) created(res, 'invoices', result.invoice);
    else res.json(result.invoice);
  });
  router.get('/invoices/:invoiceId', async (req, res) => void res.json(await erp.getInvoice(param(req, 'invoiceId'))));
  router.post('/invoices/:invoiceId/post', idempotent, async (req, res) => void res.json(await erp.postInvoice(param(req, 'invoiceId'))));
  router.post(
    '/invoices/:invoiceId/hold',
    idempotent,
    async (req, res) => void res.json(await erp.holdInvoice(param(req, 'invoiceId'), req.body.reason)),
  );
  router.post(
    '/invoices/:invoiceId/release',
    idempotent,
    async (req, res) => void res.json(await erp.releaseInvoice(param(req, 'invoiceId'))),
  );

  router.get(
    '/payments',
    async (req, res) =>
      void res.json(await erp.listPayments({ ...paging(req), clientId: query(req, 'clientId'), invoiceId: query(req, 'invoiceId') })),
  );
  router.post('/payments', idempotent, async (req, res) => created(res, 'payments', await erp.recordPayment(req.body)));
  router.get('/payments/:paymentId', async (req, res) => void res.json(await erp.getPayment(param(req, 'paymentId'))));

  router.get(
    '/milestones',
    async (req, res) =>
      void res.json(
        await erp.listMilestones({
          ...paging(req),
          engagementId: query(req, 'engagementId'),
          status: query(req, 'status') as MilestoneStatus | undefined,
          billingStatus: query(req, 'billingStatus') as MilestoneBillingStatus | undefined,
        }),
      ),
  );
  router.get('/milestones/:milestoneId', async (req, res) => void res.json(await erp.getMilestone(param(req, 'milestoneId'))));
  router.post(
    '/milestones/:milestoneId/complete',
    idempotent,
    async (req, res) => void res.json(await erp.markMilestoneCompleted(param(req, 'milestoneId'), req.body ?? {})),
  );
  router.post(
    '/milestones/:milestoneId/bill',
    idempotent,
    async (req, res) => void res.json(await erp.markMilestoneBilled(param(req, 'milestoneId'), req.body)),
  );

  return router;
}
