// The gateway's Express application, wired in the fixed order of the pipeline:
// request id + trace → log/metrics → security headers → CORS → rate limit per client address →
// (webhooks: rate limit per source, then their own signature check) → JWT from the header alone →
// no-store → rate limit per consumer → body limit + strict JSON → version routing →
// (per contract) validation → scopes → handler → 404/405 → problem details. Nothing is read
// or inflated for a caller who has not authenticated, and failed logins spend the address's quota.
import { operationsViewRouter } from '../experience-apis/operations/view-route.js';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Config } from '../core/config/index.js';
import type { ApiContract } from '../core/contracts/types.js';
import type { HttpMetrics } from '../core/observability/metrics.js';
import { requestObserver } from '../core/observability/http-log.js';
import type { Infra } from '../core/api-module.js';
import type { UsageRecorder } from '../core/usage/index.js';
import type { MountedApi } from './apis.js';
import { authenticate } from './auth/middleware.js';
import type { DevSigningKey } from './auth/dev-keys.js';
import type { TokenVerifier } from './auth/verifier.js';
import { bodyLimit } from './body-limit.js';
import { chain } from './chain.js';
import { cors } from './cors.js';
import { methodNotAllowed, notFound, problemHandler } from './errors.js';
import { ContractValidators } from './contract-validators.js';
import { mountApis, mountGatewayValidation } from './mount-apis.js';
import { probesRouter } from './probes.js';
import type { RateLimits } from './rate-limit/index.js';
import type { GatewayRedis } from './redis.js';
import { requestContext } from './request-context.js';
import { securityHeaders } from './security-headers.js';
import { specsRouter, type DocsBuilder } from './specs.js';
import { versionRouting } from './versions.js';

export interface GatewayParts {
  config: Config;
  infra: Infra;
  catalogue: ApiContract[];
  modules: MountedApi[];
  verifier: TokenVerifier;
  rateLimits: RateLimits;
  metrics: HttpMetrics;
  redis?: GatewayRedis;
  devKey?: DevSigningKey;
  buildDocs?: DocsBuilder;
  /** Signed inbound platform webhooks: verified by signature over the raw body, not by token. */
  webhooks?: Router;
  /** Per-consumer usage of each operation (core/usage); absent, nothing is recorded. */
  usage?: UsageRecorder;
  /** Collects the contracts' lazily built validators, for building the rest after start. */
  validators?: ContractValidators;
  /** True once shutdown has begun: /readyz answers 503 (see probes.ts). */
  draining?: () => boolean;
}

/** Authenticated answers are never stored by shared or browser caches. */
const noStoreWhenAuthenticated: RequestHandler = (req, res, next) => {
  if (req.auth) res.setHeader('Cache-Control', 'no-store');
  next();
};

export function buildApp(parts: GatewayParts): Express {
  const { config, infra, metrics } = parts;
  const nodeEnv = config.runtime.nodeEnv;
  const app = express();
  app.disable('x-powered-by');
  // Only the configured hops may set the client address; anything else in X-Forwarded-For is ignored.
  app.set('trust proxy', config.gateway.trustProxy);

  // The stages before the webhooks and those after them each run as one layer (see chain.ts).
  app.use(
    chain([
      requestContext(),
      requestObserver(infra.logger, metrics),
      securityHeaders(),
      cors(config.gateway.corsOrigins),
      parts.rateLimits.address,
    ]),
  );
  // Webhooks carry their own signature over the raw body and their own size limit, so they sit
  // before the JSON parser and the bearer-token check, behind a limit per source and address.
  if (parts.webhooks) app.use('/webhooks', parts.rateLimits.webhooks, parts.webhooks);
  app.use(
    chain([
      authenticate(parts.verifier),
      noStoreWhenAuthenticated,
      parts.rateLimits.middleware,
      ...bodyLimit(config.gateway.bodyLimitBytes),
      versionRouting(parts.catalogue),
    ]),
  );

  const validateResponses = nodeEnv === 'development' || nodeEnv === 'test';
  const mountOptions = { validateResponses, usage: parts.usage, validators: parts.validators ?? new ContractValidators() };
  mountGatewayValidation(app, parts.catalogue, mountOptions);
  if (parts.devKey) {
    const jwks = parts.devKey.jwks;
    app
      .route('/.well-known/jwks.json')
      .get((req, res) => {
        req.routeTemplate = '/.well-known/jwks.json';
        res.type('application/jwk-set+json').send(JSON.stringify(jwks));
      })
      .all(methodNotAllowed(['GET']));
  }
  // The APIs first: they carry the traffic, and each is one prefix match away.
  mountApis(app, parts.catalogue, parts.modules, mountOptions);
  app.use(specsRouter(parts.catalogue, parts.buildDocs));
  app.use(operationsViewRouter(infra.logger));
  app.use(
    probesRouter({
      store: infra.store,
      redis: parts.redis,
      metrics,
      metricsOnMainPort: config.gateway.metricsPort === undefined,
      draining: parts.draining,
    }),
  );

  app.use(notFound());
  app.use(problemHandler(nodeEnv === 'development'));
  return app;
}
