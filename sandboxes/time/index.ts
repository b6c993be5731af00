// The Harvest-API-v2-shaped time sandbox: time entries, expenses, clients and projects under /v2,
// with Harvest's required headers, paging envelopes and 100-per-15-seconds limit; approving a week
// and invoicing in Harvest's own screens are admin routes under /_sandbox.
import type { SandboxDefinition } from '../kit/app.js';
import { seedTime } from './seed.js';
import type { TimeState } from './state.js';
import { HARVEST_RATE_LIMIT, harvestGuard, type TimeRateLimit } from './routes/common.js';
import { timeEntryRoutes } from './routes/time-entries.js';
import { expenseRoutes } from './routes/expenses.js';
import { timeAdminRoutes } from './routes/admin.js';
import { projectRoutes } from './routes/projects.js';

export type { TimeState } from './state.js';
export { TIME_SANDBOX_TOKEN, TIME_SANDBOX_ACCOUNT_ID } from './state.js';
export { SEED_TODAY } from './seed.js';
export type { SandboxWeek } from './routes/admin.js';

export interface TimeSandboxOptions {
  /** Requests per sliding window per token; Harvest's is 100 per 15 seconds. */
  rateLimit?: TimeRateLimit;
  accessToken?: string;
  accountId?: string;
}

function harvestFaultBody(status: number, message: string): unknown {
  return { status, error: message };
}

export function createTimeSandbox(opts: TimeSandboxOptions = {}): SandboxDefinition<TimeState> {
  return {
    platform: 'time',
    seed(size, rng) {
      const state = seedTime(size, rng);
      if (opts.accessToken) state.accessToken = opts.accessToken;
      if (opts.accountId) state.accountId = opts.accountId;
      return state;
    },
    faultBody: harvestFaultBody,
    admin: (router, ctx) => timeAdminRoutes(router, ctx),
    routes(router, ctx) {
      router.use(
        '/v2',
        harvestGuard(() => ctx.state(), opts.rateLimit ?? HARVEST_RATE_LIMIT),
      );
      timeEntryRoutes(router, ctx);
      expenseRoutes(router, ctx);
      projectRoutes(router, ctx);
      router.use('/v2', (_req, res) => void res.status(404).json({ status: 404, error: 'Not Found' }));
    },
  };
}

export const timeSandbox: SandboxDefinition<TimeState> = createTimeSandbox();
