// Starts and stops the gateway: composes the layers, loads the contract catalogue,
// builds the pipeline and listens. Tests call start() in-process on port 0.
import { registerBusinessMetrics } from '../core/observability/business-metrics.js';
import { startAlertWebhooks } from '../core/alerts/index.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Express } from 'express';
import { loadConfig, type Config } from '../core/config/index.js';
import { docsHtml } from '../core/contracts/docs.js';
import { loadServedCatalogue } from '../core/contracts/prebuilt.js';
import type { ApiContract } from '../core/contracts/types.js';
import { createMetrics, type HttpMetrics } from '../core/observability/metrics.js';
import { selectApis, type AnyApiModule } from './apis.js';
import { createUsageRecorder } from '../core/usage/index.js';
import { buildApp } from './app.js';
import { loadOrCreateDevKey, type DevSigningKey } from './auth/dev-keys.js';
import { createKeySet } from './auth/key-set.js';
import { createTokenVerifier } from './auth/verifier.js';
import { compose, type LayerOverrides, type Layers } from './compose.js';
import { startMetricsServer } from './probes.js';
import { createRateLimits } from './rate-limit/index.js';
import { ContractValidators } from './contract-validators.js';
import type { GatewayRedis } from './redis.js';
import type { DocsBuilder } from './specs.js';

export interface GatewayOverrides {
  /** false: compose the journeys but do not run their workflow engine and inbox (tests with their own engine). */
  startJourneys?: boolean;
  /** Contracts to serve instead of openapi/** (tests use fixture contracts). */
  catalogue?: ApiContract[];
  /** Only these API modules (wired as in gateway/apis.ts), instead of all of them. */
  apis?: readonly AnyApiModule[];
  /** Parts of the layers to use instead of building them (e.g. a test's store); the caller closes them. */
  layers?: LayerOverrides;
  buildDocs?: DocsBuilder;
}

export interface RunningGateway {
  /** Base URL for clients on this machine, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** Set when METRICS_PORT is configured. */
  metricsUrl?: string;
  app: Express;
  layers: Layers;
  metrics: HttpMetrics;
  catalogue: ApiContract[];
  devKey?: DevSigningKey;
  /**
   * Builds the request validators of the contracts no request has reached yet (each is otherwise
   * built on its contract's first request); for after start, in the background. Resolves to how many.
   */
  buildValidators(): Promise<number>;
  /**
   * Drains, then stops: /readyz answers 503 at once while the port keeps serving for
   * SHUTDOWN_DRAIN_MS (a load balancer's checks take the replica out of rotation), then the
   * listener closes, requests in flight finish and the layers close.
   */
  close(): Promise<void>;
}

const running = new Set<RunningGateway>();

function localUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Redocly docs built on first request and cached under <VAR_DIR>/docs by content hash. */
function defaultDocsBuilder(varDir: string): DocsBuilder {
  return (contract) => docsHtml(contract, { cacheDir: resolve(varDir, 'docs') });
}

/** The contracts to serve, saying where they came from (and why not the build's bundle, when compiled). */
async function servedCatalogue(logger: Layers['infra']['logger']): Promise<ApiContract[]> {
  const { catalogue, source } = await loadServedCatalogue();
  if (source.from === 'prebuilt') logger.info({ file: source.file, contracts: catalogue.length }, 'contracts loaded from the build');
  else if (source.from === 'sources' && source.prebuiltUnusable)
    logger.warn({ reason: source.prebuiltUnusable }, 'contracts bundled from openapi/ at start');
  return catalogue;
}

export async function start(config: Config = loadConfig(), overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const metrics = createMetrics();
  const composition = await compose(config, overrides.layers, { startJourneys: overrides.startJourneys, metrics });
  const { layers } = composition;
  const { logger } = layers.infra;
  const cleanups: Array<() => Promise<void>> = [() => composition.close()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err: String(err) }, 'error during shutdown'));
  };
  try {
    const catalogue = overrides.catalogue ?? (await servedCatalogue(logger));
    registerBusinessMetrics(metrics.registry, layers.infra, layers.shape);
    // After every metric is registered: the rules read the whole registry.
    const alerts = await startAlertWebhooks({
      config: config.alerts,
      store: layers.infra.store,
      registry: metrics.registry,
      logger: logger.child({ component: 'alerts' }),
      allowPrivateUrls: config.store.webhookAllowPrivateUrls,
      requireHttps: config.runtime.nodeEnv === 'production',
    });
    if (alerts) cleanups.push(() => alerts.stop());
    const devKey = config.gateway.auth.jwksUrl ? undefined : await loadOrCreateDevKey(config.runtime.varDir);
    const verifier = createTokenVerifier(config.gateway.auth, createKeySet(config.gateway.auth, devKey), metrics);
    let redis: GatewayRedis | undefined;
    if (config.gateway.redisUrl) {
      // Loaded only when configured: the client library is a large part of a start without Redis.
      const { connectRedis } = await import('./redis.js');
      redis = connectRedis(config.gateway.redisUrl, config.gateway.redisCommandTimeoutMs, logger);
      const r = redis;
      cleanups.push(() => r.close());
      // Give Redis a moment so the first requests are counted; if it stays away, the layer
      // starts anyway and the limiters fail open until it answers (see rate-limit/redis-store).
      const waitMs = Math.max(config.gateway.redisCommandTimeoutMs * 10, 3000);
      if (!(await r.connected(waitMs)))
        logger.warn({ waitedMs: waitMs }, 'Redis not reachable at start; rate limits fail open until it answers');
    }
    // Usage is flushed after the server stops taking requests (cleanups run in reverse), before the store closes.
    const usage = createUsageRecorder(layers.infra.store, {
      flushIntervalMs: config.store.usageFlushIntervalMs,
      retentionDays: config.store.usageRetentionDays,
      logger,
    });
    cleanups.push(() => usage.stop());
    const rateLimits = createRateLimits({ config: config.gateway.rateLimit, redis, logger, metrics });
    let draining = false;
    cleanups.push(() => rateLimits.close());
    const validators = new ContractValidators();
    const app = buildApp({
      config,
      validators,
      infra: layers.infra,
      catalogue,
      modules: selectApis(layers, overrides.apis),
      verifier,
      rateLimits,
      metrics,
      redis,
      devKey,
      buildDocs: overrides.buildDocs ?? defaultDocsBuilder(config.runtime.varDir),
      webhooks: composition.webhooks,
      usage,
      draining: () => draining,
    });

    const server = createServer(app);
    server.requestTimeout = config.gateway.requestTimeoutMs;
    server.headersTimeout = Math.min(config.gateway.requestTimeoutMs, 20_000);
    const port = await listen(server, config.runtime.port, config.runtime.host);
    composition.gatewayListening(localUrl(config.runtime.host, port));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          // Stop accepting, let requests in flight finish, then cut whatever is left.
          const force = setTimeout(() => server.closeAllConnections(), config.gateway.shutdownGraceMs);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        }),
    );

    let metricsUrl: string | undefined;
    if (config.gateway.metricsPort !== undefined) {
      const metricsServer = await startMetricsServer(metrics, config.runtime.host, config.gateway.metricsPort);
      metricsUrl = `${localUrl(config.runtime.host, (metricsServer.address() as AddressInfo).port)}/metrics`;
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            metricsServer.close(() => resolve());
            metricsServer.closeAllConnections();
          }),
      );
    }

    let closed: Promise<void> | undefined;
    const gateway: RunningGateway = {
      url: localUrl(config.runtime.host, port),
      port,
      metricsUrl,
      app,
      layers,
      metrics,
      catalogue,
      devKey,
      buildValidators: () => validators.buildAll(),
      close() {
        closed ??= (async () => {
          running.delete(gateway);
          draining = true;
          const drainMs = config.gateway.shutdownDrainMs;
          if (drainMs > 0) {
            logger.info({ drainMs }, 'draining: readiness fails while requests still arrive; the listener closes after');
            await new Promise((resolve) => setTimeout(resolve, drainMs));
          }
          await cleanup();
        })();
        return closed;
      },
    };
    running.add(gateway);
    return gateway;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Stops every gateway this process started. */
export async function stop(): Promise<void> {
  await Promise.all([...running].map((g) => g.close()));
}
