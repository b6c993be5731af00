// The peer an engineer would build instead of this gateway: Fastify 5 with a request id, security
// headers, jose ES256 JWT (iss, aud, exp; verified on every request, no token cache), a scope
// check, @fastify/rate-limit, schema-validated params and response, one pino access line and a
// prom-client histogram per request, serving the same widget as the gateway's benchmark route.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { pino } from 'pino';
import { Histogram, Registry } from 'prom-client';
import { AUDIENCE, ISSUER } from '../../test/gateway/support.js';

/** The headers helmet sets by default, as a Fastify user would copy them. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function startFastifyPeer(publicJwk: JWK): Promise<string> {
  const logger = pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: '/dev/null', sync: true }));
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency in seconds',
    labelNames: ['method', 'route', 'status', 'consumer'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const keys = createLocalJWKSet({ keys: [publicJwk] });

  const app = Fastify({
    loggerInstance: logger,
    // One access line per request from the onResponse hook below, as the gateway writes one.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
  });
  await app.register(rateLimit, { max: 1_000_000_000, timeWindow: 60_000 });

  app.decorateRequest('consumer', '');
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('x-request-id', req.id);
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
    if (!m) return reply.code(401).header('www-authenticate', 'Bearer').send({ title: 'Unauthorized', status: 401 });
    try {
      const { payload } = await jwtVerify(m[1], keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'iss', 'aud'],
      });
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes('widgets:read')) return reply.code(403).send({ title: 'Forbidden', status: 403 });
      (req as typeof req & { consumer: string }).consumer = String(payload.client_id ?? payload.sub);
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ title: 'Unauthorized', status: 401 });
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const consumer = (req as typeof req & { consumer: string }).consumer || 'anonymous';
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    duration.observe({ method: req.method, route, status: String(reply.statusCode), consumer }, seconds);
    logger.info(
      { requestId: req.id, consumer, method: req.method, route, status: reply.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
      'request',
    );
  });

  const widgets = new Map([['w-1', { id: 'w-1', name: 'First widget' }]]);
  app.get(
    '/system/widgets/v3/widgets/:widgetId',
    {
      schema: {
        params: {
          type: 'object',
          required: ['widgetId'],
          properties: { widgetId: { type: 'string', pattern: '^w-[0-9]+$', maxLength: 20 } },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name'],
            properties: { id: { type: 'string' }, name: { type: 'string' } },
          },
        },
      },
    },
    async (req, reply) => {
      const widget = widgets.get((req.params as { widgetId: string }).widgetId);
      if (!widget) throw Object.assign(new Error('Not Found'), { statusCode: 404 });
      reply.header('cache-control', 'no-store');
      return widget;
    },
  );
  return app.listen({ port: 0, host: '127.0.0.1' });
}
