// The Float-shaped scheduling sandbox: people, projects and allocations ("tasks") under
// /v3 with bearer-token auth, page-count headers, rate-limit headers and allocation webhooks.
import type { SandboxDefinition } from '../kit/app.js';
import { seedScheduling } from './seed.js';
import type { SchedulingState } from './state.js';
import { authAndRateLimit, floatError, RATE_LIMIT } from './routes/common.js';
import { peopleRoutes } from './routes/people.js';
import { projectRoutes } from './routes/projects.js';
import { taskRoutes } from './routes/tasks.js';

export type { SchedulingState } from './state.js';
export { SCHEDULING_SANDBOX_TOKEN } from './state.js';

export interface SchedulingSandboxOptions {
  /** Requests per window per token (Float answers with X-RateLimit-* headers and 429 past it). */
  rateLimit?: { requests: number; windowSeconds: number };
  /** The API token the sandbox accepts. */
  apiToken?: string;
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
        authAndRateLimit(() => ctx.state(), opts.rateLimit ?? RATE_LIMIT),
      );
      peopleRoutes(router, ctx);
      projectRoutes(router, ctx);
      taskRoutes(router, ctx);
      router.use('/v3', (_req, res) => void res.status(404).json(floatError(404, 'Page not found.')));
    },
  };
}

export const schedulingSandbox: SandboxDefinition<SchedulingState> = createSchedulingSandbox();
