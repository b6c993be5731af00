// Thin HTTP routes of the scheduling system API: request → service → response. The gateway
// has already authenticated, checked scopes and validated the request against the contract.
import { Router, type Request, type Response } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { AssignmentQuery, ResourceQuery, StaffingRequestQuery, SchedulingSystemApi } from './service.js';

const BASE = '/system/scheduling/v1';
const param = (req: Request, name: string) => String(req.params[name]);

function created(res: Response, location: string, body: unknown): void {
  res.status(201).location(`${BASE}${location}`).json(body);
}

/** What the scheduling system API's routes may call: the infrastructure and the scheduling system API. */
export interface SchedulingSystemCalls {
  infra: Infra;
  scheduling: SchedulingSystemApi;
}

export function schedulingRoutes({ infra, scheduling }: SchedulingSystemCalls): Router {
  const router = Router();
  const idempotent = idempotencyFor(infra);

  router.get('/resources', async (req, res) => void res.json(await scheduling.listResources(req.query as ResourceQuery)));
  router.get('/resources/:resourceId', async (req, res) => void res.json(await scheduling.getResource(param(req, 'resourceId'))));

  router.get('/projects/:engagementId', async (req, res) => void res.json(await scheduling.getProject(param(req, 'engagementId'))));
  router.put('/projects/:engagementId', async (req, res) => {
    const { project, created: isNew } = await scheduling.putProject(param(req, 'engagementId'), req.body);
    res.status(isNew ? 201 : 200).json(project);
  });

  router.get('/assignments', async (req, res) => void res.json(await scheduling.listAssignments(req.query as AssignmentQuery)));
  router.post('/assignments', idempotent, async (req, res) => {
    const assignment = await scheduling.createAssignment(req.body);
    created(res, `/assignments/${assignment.id}`, assignment);
  });
  router.get('/assignments/:assignmentId', async (req, res) => void res.json(await scheduling.getAssignment(param(req, 'assignmentId'))));
  router.patch(
    '/assignments/:assignmentId',
    idempotent,
    async (req, res) => void res.json(await scheduling.updateAssignment(param(req, 'assignmentId'), req.body)),
  );

  router.get(
    '/staffing-requests',
    async (req, res) => void res.json(await scheduling.listStaffingRequests(req.query as StaffingRequestQuery)),
  );
  router.post('/staffing-requests', idempotent, async (req, res) => {
    // A repeat under the same externalReference answers the request already made.
    const { request, created: isNew } = await scheduling.createStaffingRequest(req.body);
    if (isNew) created(res, `/staffing-requests/${request.id}`, request);
    else res.status(200).json(request);
  });
  router.get(
    '/staffing-requests/:staffingRequestId',
    async (req, res) => void res.json(await scheduling.getStaffingRequest(param(req, 'staffingRequestId'))),
  );
  router.patch(
    '/staffing-requests/:staffingRequestId',
    idempotent,
    async (req, res) => void res.json(await scheduling.cancelStaffingRequest(param(req, 'staffingRequestId'))),
  );
  router.post('/staffing-requests/:staffingRequestId/assignments', idempotent, async (req, res) => {
    const assignment = await scheduling.assignStaffingRequest(
      param(req, 'staffingRequestId'),
      (req.body as { resourceId: string }).resourceId,
    );
    created(res, `/assignments/${assignment.id}`, assignment);
  });

  return router;
}
