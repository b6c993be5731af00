// Probes, the gateway's own endpoints for platform tooling: /healthz (the process answers),
// /readyz (the store and, when configured, Redis answer), /metrics (Prometheus text; ops:read on
// the main port, or without a token on METRICS_PORT and then not on the main port), /problems/{type}.
import { createServer, type Server } from 'node:http';
import { Router, type RequestHandler, type Response } from 'express';
import { sql } from 'kysely';
import type { Store } from '../core/store/index.js';
import type { HttpMetrics } from '../core/observability/metrics.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, problemTypeUri, PROBLEM_TYPES } from '../core/problems.js';
import type { GatewayRedis } from './redis.js';
import { requireScopes } from './auth/middleware.js';
import { methodNotAllowed } from './errors.js';
import { problemTypeDoc } from './problem-docs.js';
import { escapeHtml, page } from './html.js';

interface DependencyCheck {
  name: string;
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
}

async function check(name: string, probe: () => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, status: 'up', latencyMs: Date.now() - started };
  } catch (err) {
    // Only the message: connection strings and credentials never reach the answer.
    const detail = (err instanceof Error ? err.message : String(err))
      .replace(/\/\/[^@\s]*@/g, '//***@')
      .slice(0, 200)
      .replace(/[\x00-\x1F]/g, ' ');
    return { name, status: 'down', latencyMs: Date.now() - started, detail };
  } finally {
    clearTimeout(timer);
  }
}

export interface OperationsDeps {
  store: Store;
  redis?: GatewayRedis;
  metrics: HttpMetrics;
  /** True when /metrics is served on the main port (no METRICS_PORT). */
  metricsOnMainPort: boolean;
  /** True once the process is shutting down: readiness fails so the load balancer sends no new requests. */
  draining?: () => boolean;
}

export function metricsHandler(metrics: HttpMetrics): RequestHandler {
  return async (req, res) => {
    req.routeTemplate = '/metrics';
    const body = await metrics.registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(body);
  };
}

function notReady(res: Response, requestId: string | undefined, detail: string, checks: DependencyCheck[]): void {
  res.status(503).setHeader('Retry-After', '5');
  res.type(PROBLEM_CONTENT_TYPE).send(
    JSON.stringify({
      type: problemTypeUri('service-unavailable'),
      title: PROBLEM_TYPES['service-unavailable'].title,
      status: 503,
      detail,
      instance: '/readyz',
      requestId,
      checks,
    }),
  );
}

export function probesRouter(deps: OperationsDeps): Router {
  const router = Router();
  const started = Date.now();

  router
    .route('/healthz')
    .get((req, res) => {
      req.routeTemplate = '/healthz';
      res.json({ status: 'ok', uptimeSeconds: Math.floor((Date.now() - started) / 1000) });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/readyz')
    .get(async (req, res) => {
      req.routeTemplate = '/readyz';
      if (deps.draining?.()) {
        notReady(res, req.requestId, 'Not ready: shutting down; requests in flight are being finished.', []);
        return;
      }
      const checks = [check('store', () => sql`select 1`.execute(deps.store.db), 2000)];
      if (deps.redis) checks.push(check('redis', () => deps.redis!.ping(), 2000));
      const results = await Promise.all(checks);
      const down = results.filter((c) => c.status === 'down');
      if (down.length === 0) {
        res.json({ status: 'ready', checks: results });
        return;
      }
      notReady(res, req.requestId, `Not ready: ${down.map((c) => `${c.name} is down`).join(', ')}.`, results);
    })
    .all(methodNotAllowed(['GET']));

  if (deps.metricsOnMainPort) {
    router
      .route('/metrics')
      .get(requireScopes('ops:read'), metricsHandler(deps.metrics))
      .all(methodNotAllowed(['GET']));
  }

  router
    .route('/problems/:type')
    .get((req, res) => {
      req.routeTemplate = '/problems/{type}';
      const doc = problemTypeDoc(req.params.type);
      if (!doc) throw new ProblemError('not-found', { detail: `There is no problem type ${req.params.type}.` });
      if (req.accepts(['json', 'html']) === 'html') {
        res
          .type('html')
          .send(
            page(
              doc.title,
              `<h1>${escapeHtml(doc.title)}</h1><p>HTTP ${doc.status} · <code>${escapeHtml(doc.type)}</code></p><p>${escapeHtml(doc.description)}</p>`,
            ),
          );
        return;
      }
      res.json(doc);
    })
    .all(methodNotAllowed(['GET']));

  return router;
}

/** The separate metrics listener (METRICS_PORT): /metrics only, no token, nothing else. */
export function startMetricsServer(metrics: HttpMetrics, host: string, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': PROBLEM_CONTENT_TYPE });
      res.end(
        JSON.stringify({ type: problemTypeUri('not-found'), title: 'Not found', status: 404, detail: 'This port serves /metrics only.' }),
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': PROBLEM_CONTENT_TYPE, Allow: 'GET, HEAD' });
      res.end(JSON.stringify({ type: problemTypeUri('method-not-allowed'), title: 'Method not allowed', status: 405, detail: 'Use GET.' }));
      return;
    }
    try {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(500, { 'Content-Type': PROBLEM_CONTENT_TYPE });
      res.end(
        JSON.stringify({
          type: problemTypeUri('internal'),
          title: 'Internal server error',
          status: 500,
          detail: 'Metrics could not be collected.',
        }),
      );
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
