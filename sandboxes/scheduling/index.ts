// The Float-shaped scheduling sandbox: people, projects and allocations ("tasks") under
// /v3 with bearer-token auth, page-count headers, separate read and write budgets and the
// modified_since filter. Float sends no webhooks; the sandbox's are off unless switched on.
import type { SandboxDefinition } from '../kit/app.js';
import { seedScheduling } from './seed.js';
import type { SchedulingState } from './state.js';
import { authAndRateLimit, floatError, RATE_LIMIT, type SchedulingRateLimit } from './routes/common.js';
import { peopleRoutes } from './routes/people.js';
import { projectRoutes } from './routes/projects.js';
import { taskRoutes } from './routes/tasks.js';

export type { SchedulingState } from './state.js';
export { SCHEDULING_SANDBOX_TOKEN } from './state.js';

export interface SchedulingSandboxOptions {
  /** GET and other requests per window (Float: 200 and 100 a minute); tests shorten the window. */
  rateLimit?: Partial<SchedulingRateLimit>;
  /** The API token the sandbox accepts. */
  apiToken?: string;
  /**
   * Signed task.* webhooks, standing in for a relay a firm runs in front of Float (Float
   * publishes none). Off by default; `SCHEDULING_SANDBOX_WEBHOOKS=on` turns them on for the
   * embedded and stand-alone sandbox.
   */
  webhooks?: boolean;
}

/** `SCHEDULING_SANDBOX_WEBHOOKS`: on | off (default off). */
export function sandboxWebhooksFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.SCHEDULING_SANDBOX_WEBHOOKS ?? 'off';
  if (value !== 'on' && value !== 'off') throw new Error(`SCHEDULING_SANDBOX_WEBHOOKS must be on or off, not ${JSON.stringify(value)}`);
  return value === 'on';
}

export function createSchedulingSandbox(opts: SchedulingSandboxOptions = {}): SandboxDefinition<SchedulingState> {
  return {
    platform: 'scheduling',
    seed(size, rng) {
      const state = seedScheduling(size, rng);
      if (opts.apiToken) state.apiToken = opts.apiToken;
      return state;
    },
    faultBody: (status: number, message: string) => floatError(status, message),
    routes(router, ctx) {
      router.use(
        '/v3',
        authAndRateLimit(() => ctx.state(), { ...RATE_LIMIT, ...opts.rateLimit }),
      );
      peopleRoutes(router, ctx);
      projectRoutes(router, ctx);
      taskRoutes(router, ctx, { webhooks: opts.webhooks ?? false });
      router.use('/v3', (_req, res) => void res.status(404).json(floatError(404, 'Page not found.')));
    },
  };
}

export const schedulingSandbox: SandboxDefinition<SchedulingState> = createSchedulingSandbox({ webhooks: sandboxWebhooksFromEnv() });
