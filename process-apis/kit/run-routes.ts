// The run routes every journey's process API serves, written once: start a run (idempotent),
// list and read runs, retry a failed one. Validated by the gateway against each contract.
import { pageLimit } from '../../core/paging.js';
import type { Request, Router } from 'express';
import type { Infra } from '../../core/api-module.js';
import { idempotencyFor } from '../../core/idempotency/index.js';
import type { Run, RunQuery, RunStatus } from './run-view.js';

/** A query string parameter when it is one string, else undefined. */
export const queryText = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/** What a journey's API offers for its runs. */
export interface JourneyRuns {
  listRuns(query: RunQuery): Promise<{ items: Run[]; nextCursor: string | null }>;
  getRun(runId: string): Promise<Run>;
  retryRun(runId: string): Promise<Run>;
}

/**
 * Adds `POST /runs`, `GET /runs`, `GET /runs/{runId}` and `POST /runs/{runId}/retry` to a
 * journey's router; `start` starts a run from the request body (202 when new, 200 when it existed).
 */
export function addRunRoutes(
  router: Router,
  options: { base: string; infra: Infra; runs: JourneyRuns; start(body: Request['body']): Promise<{ run: Run; created: boolean }> },
): Router {
  const { base, infra, runs } = options;
  router.post('/runs', idempotencyFor(infra), async (req, res) => {
    const { run, created } = await options.start(req.body);
    res
      .status(created ? 202 : 200)
      .location(`${base}/runs/${run.id}`)
      .json(run);
  });
  router.get('/runs', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(
      await runs.listRuns({
        status: queryText(req, 'status') as RunStatus | undefined,
        subject: queryText(req, 'subject'),
        createdAfter: queryText(req, 'createdAfter'),
        createdBefore: queryText(req, 'createdBefore'),
        cursor: queryText(req, 'cursor'),
        limit: pageLimit(req.query.limit),
      }),
    );
  });
  router.get(
    '/runs/:runId',
    async (req, res) => void res.set('Cache-Control', 'no-store').json(await runs.getRun(String(req.params.runId))),
  );
  router.post('/runs/:runId/retry', idempotencyFor(infra), async (req, res) => {
    const run = await runs.retryRun(String(req.params.runId));
    res.status(202).location(`${base}/runs/${run.id}`).json(run);
  });
  return router;
}
