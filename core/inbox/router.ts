// Express router for inbound platform webhooks, mounted by the gateway at `/webhooks`:
// `POST /webhooks/{source}` with the body kept raw (the signature covers the exact bytes).
// New → 202 once recorded (processing follows in the InboxProcessor); duplicate → 200, no-op;
// bad signature or stale timestamp → 401 problem, recorded in inbox_rejections.
import express, { Router, type Request, type Response } from 'express';
import { ProblemError } from '../problems.js';
import type { Store } from '../store/index.js';
import { InboxProcessor, type InboxHandler } from './processor.js';
import { DEFAULT_REJECTION_BOUNDS, verifyAndRecord, type RejectionBounds } from './record.js';

export interface InboxSource {
  /** Current secret first; add the previous one during key rotation. */
  secret: string;
  previousSecrets?: string[];
}

export interface InboxRouterOptions {
  store: Store;
  sources: Record<string, InboxSource>;
  /** Kicked after each new message; the composition root starts its loop (`processor.start()`). */
  processor?: InboxProcessor;
  /** Without a processor: the router builds one with this handler and calls it directly
   *  after answering; failures then wait for a processor loop to retry them. */
  onEvent?: InboxHandler;
  maxBodyBytes?: number;
  /** How many rejected deliveries are kept per source, and for how long. */
  rejectionBounds?: RejectionBounds;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(' ') : v;
}

export function inboxRouter(options: InboxRouterOptions): Router & { processor?: InboxProcessor } {
  const router: Router & { processor?: InboxProcessor } = Router();
  const processor =
    options.processor ?? (options.onEvent ? new InboxProcessor({ store: options.store, onEvent: options.onEvent }) : undefined);
  router.processor = processor;
  const raw = express.raw({ type: () => true, limit: options.maxBodyBytes ?? 1024 * 1024 });
  router.post(
    '/:source',
    (req, res, next) =>
      raw(req, res, (err?: unknown) => {
        if (!err) return next();
        const status = (err as { status?: number }).status;
        next(
          status === 413
            ? new ProblemError('payload-too-large', { detail: 'The webhook body is too large.' })
            : new ProblemError('bad-request', { detail: 'The webhook body could not be read.' }),
        );
      }),
    async (req: Request, res: Response) => {
      const source = String(req.params.source);
      const config = Object.hasOwn(options.sources, source) ? options.sources[source] : undefined;
      if (!config) throw new ProblemError('not-found', { detail: `No webhook source named ${source}.` });
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const secrets = [config.secret, ...(config.previousSecrets ?? [])];
      const bounds = options.rejectionBounds ?? DEFAULT_REJECTION_BOUNDS;
      const outcome = await verifyAndRecord(
        options.store.db,
        secrets,
        {
          source,
          rawBody,
          remoteAddress: req.socket.remoteAddress,
          headers: {
            id: header(req, 'webhook-id'),
            timestamp: header(req, 'webhook-timestamp'),
            signature: header(req, 'webhook-signature'),
          },
        },
        Date.now(),
        bounds,
      );
      res.status(outcome.status === 'recorded' ? 202 : 200).json({ webhookId: outcome.webhookId, status: outcome.status });
      if (outcome.status !== 'recorded' || !processor) return;
      if (options.processor) processor.kick();
      else void processor.processOnce().catch(() => {}); // recorded: a later round retries it
    },
  );
  return router;
}
