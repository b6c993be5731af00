// Thin HTTP routes of the assignment-to-forecast process API (openapi/process/assignment-to-forecast.v1.yaml).
import { pageLimit } from '../../core/paging.js';
import { Router, type Request } from 'express';
import type { Infra } from '../../core/api-module.js';
import { consumeOnce } from '../../core/events/index.js';
import { addRunRoutes, queryText as str } from '../kit/run-routes.js';
import type { AssignmentRunInput } from './workflow.js';
import type { AssignmentToForecastApi } from './service.js';

const BASE = '/process/assignment-to-forecast/v1';
const limit = (req: Request) => pageLimit(req.query.limit);

/** Scheduling's assignment events, by CloudEvents type, and the change each one is. */
export const ASSIGNMENT_EVENTS: Record<string, AssignmentRunInput['change']> = {
  'com.psconnect.scheduling.assignment.created': 'created',
  'com.psconnect.scheduling.assignment.changed': 'changed',
  'com.psconnect.scheduling.assignment.cancelled': 'cancelled',
};

/** What the assignment-to-forecast process API's routes may call: the infrastructure and the journey's own API. */
export interface AssignmentToForecastCalls {
  infra: Infra;
  assignmentToForecast: AssignmentToForecastApi;
}

export function assignmentToForecastRoutes({ infra, assignmentToForecast: forecast }: AssignmentToForecastCalls): Router {
  const router = Router();
  const noStore = { 'Cache-Control': 'no-store' };

  addRunRoutes(router, {
    base: BASE,
    infra,
    runs: forecast,
    start: (body) => forecast.startRun(body, 'api'),
  });

  router.post('/events', async (req, res) => {
    const event = req.body as { id: string; source: string; type: string; subject?: string; data?: { assignmentId?: string; id?: string } };
    const change = ASSIGNMENT_EVENTS[event.type];
    const assignmentId = event.data?.assignmentId ?? event.data?.id ?? event.subject;
    // The run starts in the transaction that records the event: both or neither.
    const fresh = await consumeOnce(infra.store.db, 'process:assignment-to-forecast', event, async (trx) => {
      if (change && assignmentId) await forecast.startRunIn(trx, { assignmentId, change }, 'event', `${event.source}|${event.id}`);
    });
    res.status(202).json({ id: event.id, source: event.source, duplicate: !fresh });
  });

  router.get('/forecasts/:engagementId', async (req, res) => {
    res.set(noStore).json(
      await forecast.getForecast(String(req.params.engagementId), {
        granularity: str(req, 'granularity') === 'month' ? 'month' : 'week',
        ...(str(req, 'from') ? { from: str(req, 'from')! } : {}),
        ...(str(req, 'to') ? { to: str(req, 'to')! } : {}),
      }),
    );
  });
  router.get('/utilisation', async (req, res) => {
    res.set(noStore).json(
      await forecast.listUtilisation({
        limit: limit(req),
        ...(str(req, 'resourceId') ? { resourceId: str(req, 'resourceId')! } : {}),
        ...(str(req, 'from') ? { from: str(req, 'from')! } : {}),
        ...(str(req, 'to') ? { to: str(req, 'to')! } : {}),
        ...(str(req, 'cursor') ? { cursor: str(req, 'cursor')! } : {}),
      }),
    );
  });
  router.get('/staffing-conflicts', async (req, res) => {
    res.set(noStore).json(
      await forecast.listStaffingConflicts({
        limit: limit(req),
        ...(str(req, 'status') ? { status: str(req, 'status') as 'open' | 'resolved' } : {}),
        ...(str(req, 'resourceId') ? { resourceId: str(req, 'resourceId')! } : {}),
        ...(str(req, 'cursor') ? { cursor: str(req, 'cursor')! } : {}),
      }),
    );
  });
  return router;
}
