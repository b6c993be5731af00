// Thin HTTP routes of the CRM system API: request -> service -> response. The gateway has
// already authenticated, checked scopes and validated the request against the contract.
import { Router, type Request, type Response } from 'express';
import { idempotency } from '../../core/idempotency/index.js';
import type { Services } from '../../core/services.js';
import type { ClientQuery, ContactQuery, OpportunityQuery } from './service.js';
import './services.js';

const BASE = '/system/crm/v1';

function created(res: Response, path: string, body: { id: string }): void {
  res.status(201).location(`${BASE}/${path}/${body.id}`).json(body);
}

const param = (req: Request, name: string) => String(req.params[name]);

export function crmRoutes(services: Services): Router {
  const crm = services.crmSystem;
  const router = Router();
  const idempotent = idempotency({ store: services.store, required: true });

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
