// Thin HTTP routes of the opportunity-to-project process API. The gateway has authenticated,
// checked scopes and validated the request against openapi/process/opportunity-to-project.v1.yaml.
import { Router, type Request } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { RunStatus } from '../kit/run-view.js';
import type { OpportunityToProjectApi } from './service.js';

const BASE = '/process/opportunity-to-project/v1';
const str = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/** What the opportunity-to-project process API's routes may call: the infrastructure and the journey's own API. */
export interface OpportunityToProjectCalls {
  infra: Infra;
  opportunityToProject: OpportunityToProjectApi;
}

export function opportunityToProjectRoutes({ infra, opportunityToProject: journey }: OpportunityToProjectCalls): Router {
  const router = Router();

  router.post('/runs', idempotencyFor(infra), async (req, res) => {
    const { run, created } = await journey.provision((req.body as { opportunityId: string }).opportunityId, 'api');
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
  router.get('/opportunities/:opportunityId/provisioning', async (req, res) => {
    const { project: _project, ...provisioning } = await journey.getProvisioning(String(req.params.opportunityId));
    res.set('Cache-Control', 'no-store').json(provisioning);
  });
  return router;
}
