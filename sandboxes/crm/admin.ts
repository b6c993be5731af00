// The CRM sandbox's own controls under /_sandbox (never a Salesforce-shaped path): the change
// event bus's retention window, shortened in tests, and the event relay switch.
import type { Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../kit/app.js';
import type { CrmState } from './state.js';

const changeEventSettings = z
  .object({
    /** Send change events as signed HTTP posts too (an event relay); off by default. */
    relay: z.boolean().optional(),
    /** How long the bus keeps events; 0 drops everything published so far. */
    retentionSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  })
  .strict();

export function crmAdminRoutes(router: Router, ctx: SandboxContext<CrmState>): void {
  const show = () => ({ relay: ctx.state().relayChangeEvents, ...ctx.state().eventBus.summary() });
  router.get('/change-events', (_req, res) => void res.json(show()));
  router.put('/change-events', (req, res) => {
    const parsed = changeEventSettings.safeParse(req.body ?? {});
    if (!parsed.success) {
      return void res.status(400).json({
        error: 'invalid_request',
        issues: parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
      });
    }
    const state = ctx.state();
    if (parsed.data.relay !== undefined) state.relayChangeEvents = parsed.data.relay;
    if (parsed.data.retentionSeconds !== undefined) {
      state.eventBus.retentionMs = parsed.data.retentionSeconds * 1000;
      state.eventBus.prune();
    }
    res.json(show());
  });
}
