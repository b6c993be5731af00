// Thin HTTP routes of the time system API: request → service → response. The gateway has
// already authenticated, checked scopes and validated the request against the contract.
import { Router, type Request } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { TimeQuery, TimeSystemApi } from './service.js';

const param = (req: Request, name: string) => String(req.params[name]);

/** What the time system API's routes may call: the infrastructure and the time system API. */
export interface TimeSystemCalls {
  infra: Infra;
  time: TimeSystemApi;
}

export function timeRoutes({ infra, time }: TimeSystemCalls): Router {
  const router = Router();
  const idempotent = idempotencyFor(infra);

  router.get('/time-entries', async (req, res) => void res.json(await time.listTimeEntries(req.query as TimeQuery)));
  router.get('/time-entries/:timeEntryId', async (req, res) => void res.json(await time.getTimeEntry(param(req, 'timeEntryId'))));
  router.patch(
    '/time-entries/:timeEntryId',
    idempotent,
    async (req, res) => void res.json(await time.markTimeEntryBilled(param(req, 'timeEntryId'), req.body)),
  );

  router.get('/expenses', async (req, res) => void res.json(await time.listExpenses(req.query as TimeQuery)));
  router.get('/expenses/:expenseId', async (req, res) => void res.json(await time.getExpense(param(req, 'expenseId'))));
  router.patch(
    '/expenses/:expenseId',
    idempotent,
    async (req, res) => void res.json(await time.markExpenseBilled(param(req, 'expenseId'), req.body)),
  );

  router.post('/billing-records', idempotent, async (req, res) => void res.json(await time.recordBilling(req.body)));

  router.get('/projects/:engagementId', async (req, res) => void res.json(await time.getProject(param(req, 'engagementId'))));
  router.put('/projects/:engagementId', async (req, res) => {
    const { project, created } = await time.putProject(param(req, 'engagementId'), req.body);
    res.status(created ? 201 : 200).json(project);
  });

  router.post('/timesheet-approvals', idempotent, async (req, res) => void res.json(await time.recordTimesheetApproval(req.body)));
  return router;
}
