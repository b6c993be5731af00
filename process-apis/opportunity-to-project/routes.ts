// Thin HTTP routes of the opportunity-to-project process API. The gateway has authenticated,
// checked scopes and validated the request against openapi/process/opportunity-to-project.v1.yaml.
import { Router } from 'express';
import type { Infra } from '../../core/api-module.js';
import { addRunRoutes } from '../kit/run-routes.js';
import type { OpportunityToProjectApi } from './service.js';

const BASE = '/process/opportunity-to-project/v1';

/** What the opportunity-to-project process API's routes may call: the infrastructure and the journey's own API. */
export interface OpportunityToProjectCalls {
  infra: Infra;
  opportunityToProject: OpportunityToProjectApi;
}

export function opportunityToProjectRoutes({ infra, opportunityToProject: journey }: OpportunityToProjectCalls): Router {
  const router = Router();

  addRunRoutes(router, {
    base: BASE,
    infra,
    runs: journey,
    start: (body) => journey.provision((body as { opportunityId: string }).opportunityId, 'api'),
  });
  router.post('/events', async (req, res) => {
    const event = req.body as { id: string; source: string; type: string; time: string; data?: unknown };
    const { duplicate } = await journey.receiveEvent(event);
    res.status(202).json({ id: event.id, source: event.source, duplicate });
  });
  router.get('/opportunities/:opportunityId/provisioning', async (req, res) => {
    const { project: _project, ...provisioning } = await journey.getProvisioning(String(req.params.opportunityId));
    res.set('Cache-Control', 'no-store').json(provisioning);
  });
  return router;
}
