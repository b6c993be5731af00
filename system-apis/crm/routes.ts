// Thin HTTP routes of the CRM system API: request -> service -> response. The gateway has
// already authenticated, checked scopes and validated the request against the contract.
import { Router, type Request, type Response } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { ClientQuery, ContactQuery, OpportunityQuery, CrmSystemApi } from './service.js';

const BASE = '/system/crm/v1';

function created(res: Response, path: string, body: { id: string }): void {
  res.status(201).location(`${BASE}/${path}/${body.id}`).json(body);
}

const param = (req: Request, name: string) => String(req.params[name]);

/** What the CRM system API's routes may call: the infrastructure and the CRM system API. */
export interface CrmSystemCalls {
  infra: Infra;
  crm: CrmSystemApi;
}

export function crmRoutes({ infra, crm }: CrmSystemCalls): Router {
  const router = Router();
  const idempotent = idempotencyFor(infra);

  router.get('/clients', async (req, res) => void res.json(await crm.listClients(req.query as ClientQuery)));
  router.post('/clients', idempotent, async (req, res) => created(res, 'clients', await crm.createClient(req.body)));
  router.get('/clients/:clientId', async (req, res) => void res.json(await crm.getClient(param(req, 'clientId'))));
  router.patch(
    '/clients/:clientId',
    idempotent,
    async (req, res) => void res.json(await crm.updateClient(param(req, 'clientId'), req.body)),
  );
  router.put(
    '/clients/:clientId/billing-status',
    async (req, res) => void res.json(await crm.setClientBillingStatus(param(req, 'clientId'), req.body)),
  );

  router.get('/contacts', async (req, res) => void res.json(await crm.listContacts(req.query as ContactQuery)));
  router.post('/contacts', idempotent, async (req, res) => created(res, 'contacts', await crm.createContact(req.body)));
  router.get('/contacts/:contactId', async (req, res) => void res.json(await crm.getContact(param(req, 'contactId'))));
  router.patch(
    '/contacts/:contactId',
    idempotent,
    async (req, res) => void res.json(await crm.updateContact(param(req, 'contactId'), req.body)),
  );

  router.get('/opportunities', async (req, res) => void res.json(await crm.listOpportunities(req.query as OpportunityQuery)));
  router.post('/opportunities', idempotent, async (req, res) => created(res, 'opportunities', await crm.createOpportunity(req.body)));
  router.get('/opportunities/:opportunityId', async (req, res) => void res.json(await crm.getOpportunity(param(req, 'opportunityId'))));
  router.patch(
    '/opportunities/:opportunityId',
    idempotent,
    async (req, res) => void res.json(await crm.updateOpportunity(param(req, 'opportunityId'), req.body)),
  );
  router.put(
    '/opportunities/:opportunityId/erp-project',
    async (req, res) => void res.json(await crm.setOpportunityErpProject(param(req, 'opportunityId'), req.body)),
  );
  router.put(
    '/opportunities/:opportunityId/billing-status',
    async (req, res) => void res.json(await crm.setOpportunityBillingStatus(param(req, 'opportunityId'), req.body)),
  );

  return router;
}
