// Builds one sandbox: a vendor stand-in made of a platform definition (seed data and
// vendor-shaped routes) plus what every sandbox shares (admin API, faults, webhooks).
import express from 'express';
import { pino, type Logger } from 'pino';
import { adminRoutes } from './admin.js';
import { FaultController } from './faults.js';
import { faultMiddleware, genericFaultBody } from './fault-middleware.js';
import { SeededRandom } from './random.js';
import { BASE_URL_LOCAL } from './server.js';
import { WebhookSender } from './webhooks.js';

export type { Logger } from 'pino';
export type SeedSize = 'small' | 'large';
export type SandboxPlatform = 'crm' | 'scheduling' | 'time' | 'erp';

export interface SandboxDefinition<State> {
  platform: SandboxPlatform;
  /** Builds fresh deterministic state for a seed size (same seed → same data). */
  seed(size: SeedSize, rng: SeededRandom): State;
  /** Mounts the vendor-shaped routes. `ctx.state()` always returns the current state (reset swaps it). */
  routes(router: express.Router, ctx: SandboxContext<State>): void;
  /**
   * Admin routes of this platform under /_sandbox (never faulted): what a person does only in the
   * vendor's own screens, which the demo and the tests need without a vendor-looking path.
   */
  admin?(router: express.Router, ctx: SandboxContext<State>): void;
  /** The vendor's error body for injected faults and kit-level errors (bad JSON, unknown path). */
  faultBody?(status: number, message: string): unknown;
  /** Request body limit, vendor-sized; default 10mb. */
  bodyLimit?: string;
}

export interface SandboxContext<State> {
  state(): State;
  /** Signed outbound webhooks, with fault injection (duplicates, out of order). */
  webhooks: WebhookSender;
  /** Current fault settings (routes may consult them, e.g. for oversized bodies). */
  faults: FaultController;
  /** The sandbox's own URL once listening (for Location headers, nextRecordsUrl…). */
  baseUrl(): string;
  log: Logger;
  /** The seed size of the current state. */
  seedSize(): SeedSize;
}

export interface SandboxApp<State> {
  app: express.Express;
  ctx: SandboxContext<State>;
  reset(size: SeedSize): void;
}

/** Every seed size uses this fixed seed, so a platform's data is the same on every start. */
export const SEED = 20_260_101;
const DEV_WEBHOOK_SECRET = 'whsec_c2FuZGJveC13ZWJob29rLXNlY3JldC1kZXY=';

export function createSandboxApp<State>(
  def: SandboxDefinition<State>,
  opts: { seed?: SeedSize; logger?: Logger; webhookSecret?: string } = {},
): SandboxApp<State> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ sandbox: def.platform });
  const faults = new FaultController();
  const webhooks = new WebhookSender({ secret: opts.webhookSecret ?? DEV_WEBHOOK_SECRET, faults, logger: log, platform: def.platform });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  let size: SeedSize = opts.seed ?? 'small';
  let state = def.seed(size, new SeededRandom(SEED));
  const ctx: SandboxContext<State> = {
    state: () => state,
    webhooks,
    faults,
    baseUrl: () => {
      const url = app.locals[BASE_URL_LOCAL] as string | undefined;
      if (!url) throw new Error(`The ${def.platform} sandbox has no URL before it is listening or first called`);
      return url;
    },
    log,
    seedSize: () => size,
  };
  const reset = (next: SeedSize) => {
    state = def.seed(next, new SeededRandom(SEED));
    size = next;
  };
  const faultBody = (status: number, message: string) => (def.faultBody ?? genericFaultBody)(status, message);

  // Without listen() (e.g. supertest), learn the URL from the first request.
  app.use((req, _res, next) => {
    app.locals[BASE_URL_LOCAL] ??= `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
    next();
  });
  app.use(express.json({ limit: def.bodyLimit ?? '10mb', type: ['application/json', 'application/*+json'] }));
  app.use(
    '/_sandbox',
    adminRoutes({
      platform: def.platform,
      faults,
      webhooks,
      reset,
      seedSize: () => size,
      ...(def.admin ? { platformRoutes: (router: express.Router) => def.admin!(router, ctx) } : {}),
    }),
  );
  app.use(faultMiddleware(faults, faultBody, log));
  const router = express.Router();
  def.routes(router, ctx);
  app.use(router);
  app.use((req, res) => {
    res.status(404).json(faultBody(404, `No such resource: ${req.method} ${req.path}`));
  });
  // Kit-level errors (unparseable JSON, a body past the limit, a route that threw) in the vendor's shape.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    const clientError = status >= 400 && status < 500;
    if (!clientError) log.error({ err, path: req.path }, 'sandbox route failed');
    if (res.headersSent) return void res.end();
    res
      .status(clientError ? status : 500)
      .json(faultBody(clientError ? status : 500, clientError ? (e.message ?? 'Bad request') : 'Internal error'));
  });
  return { app, ctx, reset };
}
