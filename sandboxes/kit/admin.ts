// The sandbox admin API under /_sandbox: fault settings, reset to seed, webhook
// subscribers, health, and a platform's own admin routes (what a person does in the vendor's UI). Mounted before the fault middleware, so it is never faulted.
import express from 'express';
import { z } from 'zod';
import { faultSettingsPatch, type FaultController } from './faults.js';
import type { WebhookSender } from './webhooks.js';
import type { SeedSize } from './app.js';

const resetBody = z.object({ seed: z.enum(['small', 'large']).optional() }).strict();
const subscribeBody = z.object({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1).optional() }).strict();

function invalid(res: express.Response, error: z.ZodError): void {
  res.status(400).json({
    error: 'invalid_request',
    issues: error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
  });
}

export function adminRoutes(deps: {
  platform: string;
  faults: FaultController;
  webhooks: WebhookSender;
  reset(size: SeedSize): void;
  seedSize(): SeedSize;
  /** Mounts the platform's own admin routes, before the admin API's 404. */
  platformRoutes?(router: express.Router): void;
}): express.Router {
  const router = express.Router();
  router.get('/health', (_req, res) => void res.json({ status: 'ok', platform: deps.platform, seed: deps.seedSize() }));

  router.get('/faults', (_req, res) => void res.json(deps.faults.get()));
  // Hang and error faults answered since the last reset, by fault and method: what a test met.
  router.get('/faults/injected', (_req, res) => void res.json(deps.faults.injected()));
  router.put('/faults', (req, res) => {
    const parsed = faultSettingsPatch.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    res.json(deps.faults.set(parsed.data));
  });
  router.delete('/faults', (_req, res) => {
    deps.faults.clear();
    res.json(deps.faults.get());
  });

  router.post('/reset', (req, res) => {
    const parsed = resetBody.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    const seed = parsed.data.seed ?? deps.seedSize();
    deps.reset(seed);
    res.json({ platform: deps.platform, seed });
  });

  router.post('/webhooks', (req, res) => {
    const parsed = subscribeBody.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    deps.webhooks.subscribe(parsed.data.url, parsed.data.secret);
    res.status(201).json({ url: parsed.data.url });
  });
  router.get(
    '/webhooks',
    (_req, res) => void res.json({ subscribers: deps.webhooks.subscriptions(), deliveries: deps.webhooks.deliveries() }),
  );
  router.delete('/webhooks', (req, res) => {
    const url = typeof req.query.url === 'string' ? req.query.url : undefined;
    deps.webhooks.unsubscribe(url);
    res.status(204).end();
  });
  router.post('/webhooks/drain', async (_req, res) => {
    await deps.webhooks.drain();
    res.status(204).end();
  });
  deps.platformRoutes?.(router);
  router.use((req, res) => void res.status(404).json({ error: 'not_found', message: `No admin route ${req.method} ${req.path}` }));
  return router;
}
